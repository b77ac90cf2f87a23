package record

import (
	"fmt"
	"io"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/render"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// SummarySink is a timeline sink that also prints the end-of-watch summary,
// as the text and JSON renderers do.
type SummarySink interface {
	timeline.Sink
	Summary(now time.Time, pods []timeline.PodSummary) error
}

// Recorder writes every entry and the summary as the JSON lines of
// `-o json` to a writer (the recording), then passes them on to Next, the
// normal output.
type Recorder struct {
	Next SummarySink
	// Name is the recording's name in errors.
	Name string
	json *render.JSON
}

// NewRecorder returns a Recorder writing to w; namespace is the summary
// line's namespace, as `-o json` prints it.
func NewRecorder(w io.Writer, name, namespace string, next SummarySink) *Recorder {
	j := render.NewJSON(w)
	j.Namespace = namespace
	return &Recorder{Next: next, Name: name, json: j}
}

// Unwrap is the normal output (timeline.Wrapper).
func (r *Recorder) Unwrap() timeline.Sink { return r.Next }

// Emit records e and passes it on.
func (r *Recorder) Emit(e timeline.Entry) error {
	if err := r.json.Emit(e); err != nil {
		return fmt.Errorf("writing the recording %s: %w", r.Name, err)
	}
	return r.Next.Emit(e)
}

// Summary records the summary line and passes it on.
func (r *Recorder) Summary(now time.Time, pods []timeline.PodSummary) error {
	if err := r.json.Summary(now, pods); err != nil {
		return fmt.Errorf("writing the recording %s: %w", r.Name, err)
	}
	return r.Next.Summary(now, pods)
}
