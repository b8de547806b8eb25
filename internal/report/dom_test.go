package report

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// parsePage parses a page twice: strictly as XML (the page is well-formed
// XML: every element closed, every attribute quoted, only XML's entities),
// and as HTML5 (golang.org/x/net/html), whose tree the checks walk.
func parsePage(t testing.TB, page []byte) *html.Node {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict = true
	var stack []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := bytes.Count(page[:min(int(d.InputOffset()), len(page))], []byte("\n")) + 1
			t.Fatalf("the page is not well-formed XML at line %d: %v", line, err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			stack = append(stack, e.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements: %v", stack)
	}
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// all returns the elements under n (n included) for which ok is true, in
// document order.
func all(n *html.Node, ok func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && ok(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

// sel returns the elements with the tag (any when "") and all the
// classes.
func sel(n *html.Node, tag string, classes ...string) []*html.Node {
	return all(n, func(e *html.Node) bool {
		if tag != "" && e.Data != tag {
			return false
		}
		for _, c := range classes {
			if c != "" && !hasClass(e, c) {
				return false
			}
		}
		return true
	})
}

func byID(n *html.Node, id string) *html.Node {
	if r := all(n, func(e *html.Node) bool { return attr(e, "id") == id }); len(r) > 0 {
		return r[0]
	}
	return nil
}

// text returns the text under n, <title> elements (tooltips) left out.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && n.Data == "title" && n.Parent != nil && n.Parent.Data != "head" {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// children returns the element children of n with the tag.
func children(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == tag {
			out = append(out, c)
		}
	}
	return out
}
