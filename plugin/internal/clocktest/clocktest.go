// Package clocktest is a k8s.io/utils/clock/testing.FakeClock that says
// when something waits on it, so that a test steps the clock only once
// there is a timer to fire: no sleeps, no polling, nothing that depends on
// how fast the machine is.
package clocktest

import (
	"time"

	"k8s.io/utils/clock"
	clocktesting "k8s.io/utils/clock/testing"
)

// Clock is a FakeClock whose After, NewTimer and AfterFunc, and its timers'
// Reset, each leave a note on Armed.
type Clock struct {
	*clocktesting.FakeClock
	armed chan struct{}
}

var _ clock.WithDelayedExecution = (*Clock)(nil)

// New returns a Clock at t.
func New(t time.Time) *Clock {
	return &Clock{FakeClock: clocktesting.NewFakeClock(t), armed: make(chan struct{}, 1)}
}

// Armed receives once after one or more timers have been set or reset
// since it last received: notes do not pile up, so a stale one costs at
// most an extra Step.
func (c *Clock) Armed() <-chan struct{} { return c.armed }

func (c *Clock) note() {
	select {
	case c.armed <- struct{}{}:
	default:
	}
}

// After is FakeClock.After, noted.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	ch := c.FakeClock.After(d)
	c.note()
	return ch
}

// NewTimer is FakeClock.NewTimer, noted, with its Reset noted too.
func (c *Clock) NewTimer(d time.Duration) clock.Timer {
	t := notedTimer{c.FakeClock.NewTimer(d), c}
	c.note()
	return t
}

// AfterFunc is FakeClock.AfterFunc, noted, with its Reset noted too. As
// with FakeClock, f runs inside Step.
func (c *Clock) AfterFunc(d time.Duration, f func()) clock.Timer {
	t := notedTimer{c.FakeClock.AfterFunc(d, f), c}
	c.note()
	return t
}

type notedTimer struct {
	clock.Timer
	c *Clock
}

func (t notedTimer) Reset(d time.Duration) bool {
	active := t.Timer.Reset(d)
	t.c.note()
	return active
}
