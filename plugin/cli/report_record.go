package cli

import (
	"fmt"
	"os"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/record"
)

// openRecording creates (or truncates) the file of watch --record and
// returns the sink that writes the timeline to it before passing it on to
// next, and the function that closes it.
func openRecording(path, namespace string, next summarySink) (summarySink, func() error, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, fmt.Errorf("--record: %w", err)
	}
	closeFile := func() error {
		if err := f.Close(); err != nil {
			return fmt.Errorf("closing the recording %s: %w", path, err)
		}
		return nil
	}
	return record.NewRecorder(f, path, namespace, next), closeFile, nil
}
