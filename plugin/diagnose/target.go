package diagnose

import "github.com/kubectl-initwait/kubectl-initwait/plugin/target"

// Target is what to diagnose as the user named it (NAME, TYPE/NAME, TYPE
// NAME or -l SELECTOR); Diagnose resolves it with plugin/target.
type Target = target.Spec
