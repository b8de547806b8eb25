// Package reject names SRT connection rejection reasons.
package reject
