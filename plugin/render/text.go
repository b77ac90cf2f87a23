package render

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// Text writes one human-readable line per entry:
//
//	12:04:05.120 status webapp-5b79f89647-zzk5s  Init:0/1          ready 0/1  restarts 0  (check-db-ready for 12s)
//	12:04:05.311 log    webapp-5b79f89647-zzk5s  check-db-ready | waiting for database
//	12:04:06.000 event  rs/webapp-5b79f89647     Normal SuccessfulCreate: Created pod: webapp-5b79f89647-zzk5s
//
// The pod column (an owner's events show its timeline.ShortRef there) has
// one width for the whole stream: the one SetColumns gives, or else the
// first name's; a longer name is shortened in the middle with "…".
type Text struct {
	w      io.Writer
	p      palette
	podW   int    // the pod column's width in runes; 0 until fixed
	Layout string // time layout; default 15:04:05.000
}

// maxPodColumn bounds the pod column: a longer name is shortened.
const maxPodColumn = 48

// SetColumns fixes the pod column's width (timeline.Columnar); the stream
// calls it before the first line. It changes nothing once the width is
// fixed; a zero width leaves it to the first name.
func (t *Text) SetColumns(c timeline.Columns) {
	if c.Pod > 0 && t.podW == 0 {
		t.podW = min(c.Pod, maxPodColumn)
	}
}

// column is name fitted to the pod column, fixing the column's width on
// first use: padded when shorter, shortened in the middle when longer.
func (t *Text) column(name string) string {
	if t.podW == 0 {
		t.podW = min(max(utf8.RuneCountInString(name), 1), maxPodColumn)
	}
	return fmt.Sprintf("%-*s", t.podW, shorten(name, t.podW))
}

// shorten fits s into width (at least 1) runes: as it is when it fits,
// else its head and tail around "…" (webapp-5…47-zzk5s), the tail the
// longer half, so that a pod's random suffix stays. It counts runes, so it
// never cuts one in two.
func shorten(s string, width int) string {
	r := []rune(s)
	if len(r) <= width {
		return s
	}
	if width < 2 {
		return "…"
	}
	head := (width - 1) / 2
	return string(r[:head]) + "…" + string(r[len(r)-(width-1-head):])
}

// NewText returns a Text renderer writing to w, coloured when color is true.
func NewText(w io.Writer, color bool) *Text {
	return &Text{w: w, p: newPalette(color), Layout: "15:04:05.000"}
}

// Emit writes e.
func (t *Text) Emit(e timeline.Entry) error {
	var b strings.Builder
	b.WriteString(t.p.time.Sprint(e.Time.Local().Format(t.Layout)))
	b.WriteByte(' ')
	pod := e.Pod
	switch e.Kind {
	case timeline.KindStatus:
		b.WriteString(t.p.status.Sprint("status"))
		fmt.Fprintf(&b, " %s  ", t.column(pod))
		t.status(&b, e.Status)
	case timeline.KindLog:
		b.WriteString(t.p.log.Sprint("log   "))
		fmt.Fprintf(&b, " %s  %s %s %s", t.column(pod), t.p.log.Sprint(e.Log.Container), t.p.dim.Sprint("|"), e.Log.Line)
	case timeline.KindEvent:
		ev := e.Event
		c := t.p.event
		if ev.Type == "Warning" {
			c = t.p.warning
		}
		subject := pod
		if subject == "" {
			subject = timeline.ShortRef(ev.Object)
		}
		b.WriteString(c.Sprint("event "))
		fmt.Fprintf(&b, " %s  %s %s", t.column(subject), ev.Type, c.Sprint(ev.Reason))
		if ev.Count > 1 {
			fmt.Fprintf(&b, " ×%d", ev.Count)
		}
		b.WriteString(": " + strings.TrimSpace(ev.Message))
	case timeline.KindNotice:
		b.WriteString(t.p.notice.Sprint("note  "))
		if pod != "" {
			fmt.Fprintf(&b, " %s ", t.column(pod))
		}
		b.WriteString(" " + e.Notice)
	default:
		return fmt.Errorf("render: unknown entry kind %q", e.Kind)
	}
	b.WriteByte('\n')
	_, err := io.WriteString(t.w, b.String())
	return err
}

func (t *Text) status(b *strings.Builder, s *timeline.StatusInfo) {
	c := t.p.waiting
	switch {
	case s.Deleted:
		c = t.p.dim
	case s.PodReady || s.Status == "Completed":
		c = t.p.good
	case isBad(s.Status):
		c = t.p.bad
	}
	status := s.Status
	if s.Deleted {
		status += " (deleted)"
	}
	fmt.Fprintf(b, "%s  ready %s  restarts %s", c.Sprintf("%-16s", status), s.Ready, s.RestartsText)
	var notes []string
	if s.Blocking != "" {
		notes = append(notes, fmt.Sprintf("%s for %s", s.Blocking, Duration(s.BlockedFor)))
	}
	if s.BackOff > 0 {
		who := s.Container
		if who != "" {
			who += " "
		}
		notes = append(notes, fmt.Sprintf("%sback-off %s after %s", who, Duration(s.BackOff), plural(s.Restarts, "restart")))
	}
	if len(notes) > 0 {
		b.WriteString("  " + t.p.dim.Sprint("("+strings.Join(notes, "; ")+")"))
	}
}

// plural writes n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func isBad(status string) bool {
	for _, bad := range []string{"Error", "CrashLoopBackOff", "ImagePull", "ErrImage", "OOMKilled", "Failed",
		"CreateContainer", "InvalidImageName", "Evicted", "ContainerStatusUnknown"} {
		if strings.Contains(status, bad) {
			return true
		}
	}
	return false
}

// Duration prints d the way kubectl prints ages, but with seconds kept
// below ten minutes: 850ms, 12s, 4m12s, 1h3m.
func Duration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d < 10*time.Minute:
		return d.Round(time.Second).String()
	case d < time.Hour:
		return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
	default:
		return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
	}
}
