package clocktest

import (
	"testing"
	"time"
)

func armed(c *Clock) bool {
	select {
	case <-c.Armed():
		return true
	default:
		return false
	}
}

// Each way of waiting leaves one note, and notes do not pile up.
func TestArmed(t *testing.T) {
	c := New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if armed(c) {
		t.Fatal("armed before anything waits")
	}
	after := c.After(time.Second)
	fired := make(chan struct{}, 1)
	timer := c.AfterFunc(time.Second, func() { fired <- struct{}{} })
	if !armed(c) || armed(c) {
		t.Fatal("After and AfterFunc did not leave exactly one note")
	}
	timer.Reset(2 * time.Second)
	if !armed(c) {
		t.Fatal("Reset left no note")
	}
	c.Step(time.Second)
	if len(after) != 1 || len(fired) != 0 {
		t.Fatalf("after 1s: After fired %d, AfterFunc %d; want 1, 0", len(after), len(fired))
	}
	c.Step(time.Second)
	if len(fired) != 1 {
		t.Fatal("the reset AfterFunc did not fire at 2s")
	}
	_ = c.NewTimer(time.Second)
	if !armed(c) {
		t.Fatal("NewTimer left no note")
	}
}
