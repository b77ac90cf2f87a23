package source

import "k8s.io/utils/clock"

// wallIfNil is c, or the wall clock when c is nil. The sources take their
// clock from the caller (stream.Config.Clock), so that tests step a
// k8s.io/utils/clock/testing.FakeClock instead of sleeping.
func wallIfNil(c clock.Clock) clock.Clock {
	if c == nil {
		return clock.RealClock{}
	}
	return c
}

// clock is the events' clock: Clock, or the wall clock when it is nil.
func (e *Events) clock() clock.WithDelayedExecution {
	if e.Clock == nil {
		return clock.RealClock{}
	}
	return e.Clock
}
