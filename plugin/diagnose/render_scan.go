package diagnose

import (
	"fmt"
	"io"
	"strings"
)

// WriteScanJSON writes the scan report as indented JSON (always with every
// pod's details).
func WriteScanJSON(w io.Writer, r *ScanReport) error { return writeIndented(w, r) }

// WriteScanText writes the groups, largest first, each with its count and
// one verdict line per pod (namespace/name when all namespaces were
// scanned); verbose adds each pod's evidence, logs and next commands.
func WriteScanText(w io.Writer, r *ScanReport, verbose bool) error {
	var b strings.Builder
	for _, g := range r.Groups {
		title := g.Title
		if g.Severity != SeverityProblem {
			title = "progressing, " + title
		}
		fmt.Fprintf(&b, "%s: %d pod(s)\n", title, g.Count)
		for _, p := range g.Pods {
			name := p.Name
			if r.AllNamespaces {
				name = p.Namespace + "/" + p.Name
			}
			writePod(&b, p, name, "  ", verbose)
		}
	}
	where := fmt.Sprintf("in namespace %q", r.Namespace)
	if r.AllNamespaces {
		where = "in all namespaces"
	}
	if r.NotReady == 0 {
		fmt.Fprintf(&b, "all %d pod(s) %s are Ready or Completed\n", r.Pods, where)
	} else {
		fmt.Fprintf(&b, "%d of %d pod(s) %s not Ready: %d with a problem, %d progressing%s\n",
			r.NotReady, r.Pods, where, r.Problems, r.Progressing, groupCounts(r.Groups))
	}
	if r.LogsNotRead > 0 {
		fmt.Fprintf(&b, "logs: %d read, %d not read (--max-logs): verdicts of those pods come from their state\n", r.LogsRead, r.LogsNotRead)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// groupCounts is " (2 missing tool, 998 missing Service)" for the problem groups.
func groupCounts(groups []Group) string {
	var parts []string
	for _, g := range groups {
		if g.Severity == SeverityProblem {
			parts = append(parts, fmt.Sprintf("%d %s", g.Count, g.Title))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
