package srtfuzz

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is a target srtfuzz started itself (-exec): a shell command run
// in a process group of its own, whose exit is a finding.
type Process struct {
	Command string
	// Log, when set, receives the target's output as well.
	Log io.Writer

	mu    sync.Mutex
	cmd   *exec.Cmd
	done  chan struct{}
	state *os.ProcessState
	tail  tailBuffer
	runs  int
}

// Start starts (or, after an exit, restarts) the command with sh -c.
func (p *Process) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	cmd := exec.Command("sh", "-c", p.Command)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.tail.reset()
	var w io.Writer = &p.tail
	if p.Log != nil {
		w = io.MultiWriter(&p.tail, p.Log)
	}
	cmd.Stdout, cmd.Stderr = w, w
	// A child that keeps the output open must not hold Wait up.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("-exec %q: %w", p.Command, err)
	}
	p.cmd, p.done, p.state = cmd, make(chan struct{}), nil
	p.runs++
	done := p.done
	go func() {
		_ = cmd.Wait()
		p.mu.Lock()
		p.state = cmd.ProcessState
		p.mu.Unlock()
		close(done)
	}()
	return nil
}

// Exited reports whether the current run has ended.
func (p *Process) Exited() bool {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	if done == nil {
		return true
	}
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// Wait waits up to d for the current run to end and reports whether it did.
func (p *Process) Wait(d time.Duration) bool {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	if done == nil {
		return true
	}
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// Status describes how the last run ended: "exit status 2", "killed by
// signal SIGABRT"; "running" while it runs.
func (p *Process) Status() string {
	p.mu.Lock()
	st := p.state
	p.mu.Unlock()
	if st == nil {
		return "running"
	}
	ws, ok := st.Sys().(syscall.WaitStatus)
	switch {
	case ok && ws.Signaled():
		return "killed by signal " + signalName(ws.Signal())
	case ok && ws.ExitStatus() > 128 && ws.ExitStatus() < 128+65:
		// sh reports a child killed by a signal as 128 + the signal.
		return fmt.Sprintf("exit status %d (signal %s)", ws.ExitStatus(), signalName(syscall.Signal(ws.ExitStatus()-128)))
	}
	return fmt.Sprintf("exit status %d", st.ExitCode())
}

func signalName(s syscall.Signal) string {
	names := map[syscall.Signal]string{syscall.SIGABRT: "SIGABRT", syscall.SIGSEGV: "SIGSEGV", syscall.SIGBUS: "SIGBUS",
		syscall.SIGILL: "SIGILL", syscall.SIGFPE: "SIGFPE", syscall.SIGKILL: "SIGKILL", syscall.SIGTERM: "SIGTERM",
		syscall.SIGINT: "SIGINT", syscall.SIGTRAP: "SIGTRAP", syscall.SIGPIPE: "SIGPIPE"}
	if n, ok := names[s]; ok {
		return n
	}
	return fmt.Sprintf("%d", int(s))
}

// Tail returns the last output of the current run.
func (p *Process) Tail() string { return p.tail.String() }

// Crash returns the line of the output that tells what went wrong (a Go
// panic, a stack-smashing abort, a sanitizer report), or "".
func (p *Process) Crash() string {
	for _, l := range strings.Split(p.Tail(), "\n") {
		for _, k := range []string{"panic:", "fatal error:", "stack smashing", "Segmentation", "Assertion", "AddressSanitizer", "terminate called", "Aborted"} {
			if strings.Contains(l, k) {
				return strings.TrimSpace(l)
			}
		}
	}
	return ""
}

// Stop ends the current run: SIGTERM to its process group, SIGKILL after
// two seconds.
func (p *Process) Stop() {
	p.mu.Lock()
	cmd := p.cmd
	p.mu.Unlock()
	if cmd == nil || cmd.Process == nil || p.Exited() {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	if !p.Wait(2 * time.Second) {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		p.Wait(2 * time.Second)
	}
}

// Restart stops the current run if it is still going and starts anew.
func (p *Process) Restart() error {
	p.Stop()
	return p.Start()
}

// tailBuffer keeps the last 64 KiB written to it.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

const tailSize = 64 << 10

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > tailSize {
		t.b = append(t.b[:0], t.b[len(t.b)-tailSize:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

func (t *tailBuffer) reset() {
	t.mu.Lock()
	t.b = t.b[:0]
	t.mu.Unlock()
}
