package timeline

import "strings"

// StatusClass groups the STATUS cells that a chart draws in one colour.
type StatusClass int

// The status classes, in the order a legend lists them.
const (
	ClassStarting  StatusClass = iota // Pending, ContainerCreating, PodInitializing
	ClassInit                         // Init:N/M: an init container still running
	ClassRunning                      // Running, not Ready
	ClassReady                        // Running and Ready
	ClassError                        // Error, Init:Error, OOMKilled, image pull and create failures
	ClassCrashLoop                    // CrashLoopBackOff, Init:CrashLoopBackOff
	ClassCompleted                    // Completed
	ClassOther                        // Terminating, Unknown and anything else
)

// StatusClasses lists every class in legend order.
var StatusClasses = []StatusClass{ClassStarting, ClassInit, ClassRunning, ClassReady, ClassError,
	ClassCrashLoop, ClassCompleted, ClassOther}

// String is the class's name in a legend.
func (c StatusClass) String() string {
	switch c {
	case ClassStarting:
		return "Pending / ContainerCreating / PodInitializing"
	case ClassInit:
		return "Init:N/M"
	case ClassRunning:
		return "Running (not Ready)"
	case ClassReady:
		return "Running (Ready)"
	case ClassError:
		return "Error"
	case ClassCrashLoop:
		return "CrashLoopBackOff"
	case ClassCompleted:
		return "Completed"
	}
	return "other (Terminating, Unknown...)"
}

// Slug is the class's name in CSS classes and data attributes.
func (c StatusClass) Slug() string {
	return [...]string{"starting", "init", "running", "ready", "error", "crashloop", "completed", "other"}[c]
}

// Letter is the class's letter in a bar drawn without colour.
func (c StatusClass) Letter() byte {
	return "PIrRECD?"[c]
}

// ClassOf is the class of a STATUS cell shown with the pod's Ready
// condition ready.
func ClassOf(status string, ready bool) StatusClass {
	switch {
	case strings.Contains(status, "CrashLoopBackOff"):
		return ClassCrashLoop
	case isFailure(status):
		return ClassError
	case strings.HasPrefix(status, "Init:"):
		return ClassInit
	case status == "Running" && ready:
		return ClassReady
	case status == "Running":
		return ClassRunning
	case status == "Pending" || status == "ContainerCreating" || status == "PodInitializing":
		return ClassStarting
	case status == "Completed":
		return ClassCompleted
	}
	return ClassOther
}

// isFailure reports whether a STATUS cell names a container failure.
func isFailure(status string) bool {
	for _, bad := range []string{"Error", "ImagePull", "ErrImage", "OOMKilled", "Failed", "CreateContainer",
		"InvalidImageName", "Evicted", "ContainerStatusUnknown", "StartError", "RunContainerError"} {
		if strings.Contains(status, bad) {
			return true
		}
	}
	return false
}
