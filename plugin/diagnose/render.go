package diagnose

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes one verdict line per pod, the evidence indented under it,
// the blocking container's last log lines and the suggested next commands.
func WriteText(w io.Writer, r *Report) error {
	var b strings.Builder
	counts := map[Severity]int{}
	for _, p := range r.Pods {
		counts[p.Severity]++
		fmt.Fprintf(&b, "%s: %s", p.Name, p.Status)
		if p.Severity != SeverityOK && p.Since != nil {
			fmt.Fprintf(&b, " for %s", time.Duration(p.ForSeconds)*time.Second)
		}
		fmt.Fprintf(&b, " — %s\n", p.Verdict)
		for _, e := range p.Evidence {
			fmt.Fprintf(&b, "  %s\n", e)
		}
		if c := p.Blocking; c != nil {
			writeLogs(&b, "previous instance's log", c.PreviousLogs)
			writeLogs(&b, "log", c.Logs)
			if c.LogError != "" && len(c.Logs) == 0 {
				fmt.Fprintf(&b, "  log: %s\n", c.LogError)
			}
		}
		for i, n := range p.Next {
			label := "  next:"
			if i > 0 {
				label = "       "
			}
			fmt.Fprintf(&b, "%s %s\n", label, n)
		}
	}
	fmt.Fprintf(&b, "%d pod(s) of %s in namespace %q: %d ready, %d progressing, %d with a problem\n",
		len(r.Pods), r.Target, r.Namespace, counts[SeverityOK], counts[SeverityProgressing], counts[SeverityProblem])
	_, err := io.WriteString(w, b.String())
	return err
}

func writeLogs(b *strings.Builder, what string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(b, "  %s (last %d lines):\n", what, len(lines))
	for _, l := range lines {
		fmt.Fprintf(b, "    | %s\n", l)
	}
}
