package diagnose

import (
	"fmt"
	"strings"
	"time"
)

// waitVerdict words an init container that is running its wait loop.
func waitVerdict(name string, deps []DependencyReport, running time.Duration) (Severity, string) {
	if len(deps) == 0 {
		return SeverityProgressing, fmt.Sprintf("%s has been running for %s; no dependency recognised in its command: see its logs",
			name, running.Round(time.Second))
	}
	dr, _ := worstDependency(deps)
	switch {
	case dr.Severity == SeverityProblem:
		return SeverityProblem, fmt.Sprintf("%s waits for %s, but %s", name, dr.Address(), dr.Finding)
	case !dr.OK:
		return SeverityProgressing, fmt.Sprintf("%s waits for %s: %s", name, dr.Address(), dr.Finding)
	}
	return SeverityProgressing, fmt.Sprintf("%s waits for %s, which is ready now (%s): its next attempt should pass",
		name, addresses(deps), dr.Finding)
}

// waitCause is the cause of an init container in its wait loop: the
// dependency's, a file it waits for, or plain waiting.
func waitCause(deps []DependencyReport) Cause {
	dr, ok := worstDependency(deps)
	switch {
	case !ok:
		return CauseWaiting
	case dr.Kind == "file":
		return CauseWaitingFile
	case dr.Cause != "":
		return dr.Cause
	case !dr.OK:
		return CauseDependency
	}
	return CauseWaiting
}

// worstDependency picks the dependency to name in the verdict: the first
// problem, else the first not OK, else the first.
func worstDependency(deps []DependencyReport) (DependencyReport, bool) {
	if len(deps) == 0 {
		return DependencyReport{}, false
	}
	for _, dr := range deps {
		if dr.Severity == SeverityProblem {
			return dr, true
		}
	}
	for _, dr := range deps {
		if !dr.OK {
			return dr, true
		}
	}
	return deps[0], true
}

func addresses(deps []DependencyReport) string {
	var a []string
	for _, dr := range deps {
		a = append(a, dr.Address())
	}
	return strings.Join(a, ", ")
}

func dependencyNext(deps []DependencyReport) []string {
	var next []string
	for _, dr := range deps {
		next = append(next, dr.Next...)
	}
	return next
}
