package diagnose

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, r *Report) error { return writeIndented(w, r) }

func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteText writes one verdict line per pod, the evidence indented under it,
// the blocking container's last log lines and the suggested next commands.
func WriteText(w io.Writer, r *Report) error {
	var b strings.Builder
	counts := map[Severity]int{}
	for _, p := range r.Pods {
		counts[p.Severity]++
		writePod(&b, p, p.Name, "", true)
	}
	fmt.Fprintf(&b, "%d pod(s) of %s in namespace %q: %d ready, %d progressing, %d with a problem\n",
		len(r.Pods), r.Target, r.Namespace, counts[SeverityOK], counts[SeverityProgressing], counts[SeverityProblem])
	_, err := io.WriteString(w, b.String())
	return err
}

// writePod writes the pod's verdict line as name, then with details its
// evidence, logs and next commands, each line prefixed by indent.
func writePod(b *strings.Builder, p PodReport, name, indent string, details bool) {
	fmt.Fprintf(b, "%s%s: %s", indent, name, p.Status)
	if p.Severity != SeverityOK && p.Since != nil {
		fmt.Fprintf(b, " for %s", time.Duration(p.ForSeconds)*time.Second)
	}
	fmt.Fprintf(b, " — %s\n", p.Verdict)
	if !details {
		return
	}
	for _, e := range p.Evidence {
		fmt.Fprintf(b, "%s  %s\n", indent, e)
	}
	if c := p.Blocking; c != nil {
		from := ""
		if c.LogsFrom != "" {
			from = ", of pod " + c.LogsFrom + " of the same workload"
		}
		writeLogs(b, indent, "previous instance's log"+from, c.PreviousLogs)
		writeLogs(b, indent, "log"+from, c.Logs)
		if c.LogError != "" && len(c.Logs) == 0 {
			fmt.Fprintf(b, "%s  log: %s\n", indent, c.LogError)
		}
	}
	for i, n := range p.Next {
		label := "  next:"
		if i > 0 {
			label = "       "
		}
		fmt.Fprintf(b, "%s%s %s\n", indent, label, n)
	}
}

func writeLogs(b *strings.Builder, indent, what string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(b, "%s  %s (last %d lines):\n", indent, what, len(lines))
	for _, l := range lines {
		fmt.Fprintf(b, "%s    | %s\n", indent, l)
	}
}
