package diagnose

import (
	"fmt"
	"sort"
	"strings"
)

// toolFinding is what the container's own evidence says before any
// dependency: the command it runs is not in its image, or the probe rejects
// its own command line. Either way no change to the dependency can help,
// so it is the first thing to fix.
type toolFinding struct {
	cause    Cause
	verdict  string
	evidence []string
	// next are commands to run first (the fix), if any.
	next []string
}

// shellNotFound is the exit code shells give a command they cannot find.
const shellNotFound = 127

// toolProblem judges the blocking container from its state messages and the
// signals of its logs (both instances). App containers that run are judged
// only when they crash (their logs are their own business), and never as a
// broken probe: a probe is what an init container loops on.
func toolProblem(b blocker, cr *ContainerReport, deps []DependencyReport) (toolFinding, bool) {
	looping := b.typ != "app" || crashed(b.status)
	image := cr.Image
	then := dependencyAfterFix(deps)
	for _, msg := range []struct{ reason, text string }{{cr.Reason, cr.Message}, {cr.LastReason, cr.LastMessage}} {
		if m := startFailure.FindStringSubmatch(msg.text); m != nil {
			ev := fmt.Sprintf("the container runtime cannot start it (%s", msg.reason)
			if cr.LastExitCode != nil && msg.text == cr.LastMessage {
				ev += fmt.Sprintf(", exit code %d", *cr.LastExitCode)
			}
			ev += fmt.Sprintf(", %d restarts): %s", cr.Restarts, msg.text)
			return toolFinding{cause: CauseMissingTool,
				verdict:  fmt.Sprintf("%s: %s is not in image %s, so this can never succeed", cr.Name, m[1], image),
				evidence: append([]string{ev}, then...)}, true
		}
	}
	sig := cr.signals
	exit127 := cr.LastExitCode != nil && *cr.LastExitCode == shellNotFound
	if sig.missingTool != "" && (looping || exit127) {
		ev := []string{fmt.Sprintf("its log says %q (%s)", sig.missingLine, times(sig.missing[sig.missingTool]))}
		if others := otherMissing(sig); others != "" {
			ev = append(ev, "also not found: "+others)
		}
		if exit127 {
			ev = append(ev, fmt.Sprintf("it exits with code %d, the shell's \"command not found\" (%d restarts)", shellNotFound, cr.Restarts))
		}
		return toolFinding{cause: CauseMissingTool,
			verdict:  fmt.Sprintf("%s: %s is not in image %s, so this can never succeed", cr.Name, sig.missingTool, image),
			evidence: append(ev, then...)}, true
	}
	if exit127 && crashed(b.status) {
		what := "a command it runs"
		if tools := dependencyTools(deps); tools != "" {
			what = "a command it runs (" + tools + "?)"
		}
		why := "its log was not read"
		if cr.LogError != "" {
			why += ": " + cr.LogError
		} else if len(cr.Logs)+len(cr.PreviousLogs) > 0 {
			why = "its log does not name the command"
		}
		return toolFinding{cause: CauseMissingTool,
			verdict: fmt.Sprintf("%s: %s is not in image %s (exit code %d, the shell's \"command not found\"), so this can never succeed",
				cr.Name, what, image, shellNotFound),
			evidence: append([]string{why}, then...)}, true
	}
	if b.typ != "app" && (sig.attempts() >= 2 || sig.attempts() == 1 && crashed(b.status)) {
		waits := "what it waits for"
		if len(deps) > 0 {
			waits = addresses(deps)
		}
		ev := []string{fmt.Sprintf("its log shows the probe's usage error %s (first: %q)", times(sig.attempts()), sig.usageLine)}
		if sig.busybox != "" {
			ev = append(ev, fmt.Sprintf("the image's %s is BusyBox's (%q), which lacks that option: use an image whose %s has it, or another probe",
				sig.usageTool, strings.TrimSuffix(sig.busybox, "."), sig.usageTool))
		}
		return toolFinding{cause: CauseBrokenProbe,
			verdict: fmt.Sprintf("%s: the probe command is broken in this image (%s), so the loop cannot end even when %s is up",
				cr.Name, sig.usageLine, waits),
			evidence: append(ev, then...)}, true
	}
	return toolFinding{}, false
}

// dependencyAfterFix words what the container would meet once its command
// works: the dependency it probes and what the cluster says of it.
func dependencyAfterFix(deps []DependencyReport) []string {
	dr, ok := worstDependency(deps)
	switch {
	case !ok:
		return nil
	case dr.OK:
		return []string{fmt.Sprintf("once that is fixed, it would probe %s, which is ready: %s", dr.Address(), dr.Finding)}
	}
	return []string{fmt.Sprintf("once that is fixed, it would probe %s, but %s", dr.Address(), dr.Finding)}
}

func dependencyTools(deps []DependencyReport) string {
	var tools []string
	for _, dr := range deps {
		tools = append(tools, dr.Tool)
	}
	return strings.Join(dedupe(tools), ", ")
}

func otherMissing(sig logSignals) string {
	var others []string
	for tool := range sig.missing {
		if tool != sig.missingTool {
			others = append(others, tool)
		}
	}
	if len(others) == 0 {
		return ""
	}
	sort.Strings(others)
	return strings.Join(others, ", ")
}

// times words a count: "once", "3 times".
func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}
