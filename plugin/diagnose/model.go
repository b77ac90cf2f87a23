// Package diagnose explains why the pods of a workload are not Ready: which
// container blocks them, what it waits for (read from its command, args and
// env), and where the chain Service → EndpointSlices → backing pods breaks.
// It knows nothing of cobra; it reads the cluster through kubernetes.Interface
// and a PodLister, and writes text or JSON to an io.Writer.
package diagnose

import "time"

// Severity grades a pod's state.
type Severity string

const (
	// SeverityOK is a Ready (or Succeeded) pod.
	SeverityOK Severity = "ok"
	// SeverityProgressing is a pod that is not Ready yet but on its way: what it
	// waits for exists and is starting normally.
	SeverityProgressing Severity = "progressing"
	// SeverityProblem is a pod that will not become Ready without a change.
	SeverityProblem Severity = "problem"
)

// Report is the result of diagnosing one target.
type Report struct {
	Namespace string      `json:"namespace"`
	Target    string      `json:"target"`
	Selector  string      `json:"selector"`
	Time      time.Time   `json:"time"`
	Pods      []PodReport `json:"pods"`
	// Problems counts pods whose severity is "problem".
	Problems int `json:"problems"`
}

// PodReport is the verdict on one pod with its evidence.
type PodReport struct {
	// Namespace is set in a scan's report.
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	// Status is the STATUS column kubectl prints (e.g. Init:0/1, CrashLoopBackOff).
	Status   string   `json:"status"`
	Ready    bool     `json:"ready"`
	Severity Severity `json:"severity"`
	// Since is when the pod entered its current blocked state: when the
	// blocking container's turn came (previous init container finished, or
	// pod start), or the pod's creation when unscheduled.
	Since *time.Time `json:"since,omitempty"`
	// ForSeconds is the time since Since, in whole seconds.
	ForSeconds int64 `json:"forSeconds,omitempty"`
	// Verdict is the one-line answer, without the pod name and status.
	Verdict string `json:"verdict"`
	// Cause names the first thing to fix (missing-tool, missing-service, ...;
	// see the README), by which a scan groups pods.
	Cause Cause `json:"cause,omitempty"`
	// Blocking is the container the pod waits on; nil for Ready or unscheduled pods.
	Blocking *ContainerReport `json:"blocking,omitempty"`
	// Dependencies are what the blocking container waits for, with the chain checked.
	Dependencies []DependencyReport `json:"dependencies,omitempty"`
	// Evidence lists the facts behind the verdict, most telling first.
	Evidence []string `json:"evidence,omitempty"`
	// Next lists suggested commands to look further or fix.
	Next []string `json:"next,omitempty"`
}

// ContainerReport describes the blocking container.
type ContainerReport struct {
	Name string `json:"name"`
	// Type is init, sidecar (an init container with restartPolicy Always) or app.
	Type  string `json:"type"`
	Image string `json:"image"`
	// State is waiting, running or terminated; Reason and Message are the state's.
	State   string `json:"state"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// Restarts is the container's restart count.
	Restarts int32 `json:"restarts"`
	// WaitingLines counts log lines containing "waiting for" (current and
	// previous instance): the attempts an init loop made so far.
	WaitingLines int `json:"waitingLines"`
	// LastExitCode and LastReason are from the last terminated instance
	// (current state if terminated, else the last termination).
	LastExitCode *int32 `json:"lastExitCode,omitempty"`
	LastReason   string `json:"lastReason,omitempty"`
	// LastMessage is the last terminated instance's message (a StartError's runtime error).
	LastMessage string `json:"lastMessage,omitempty"`
	// Logs is the tail of the current instance's log; PreviousLogs of the
	// previous instance when the container restarted.
	Logs         []string `json:"logs,omitempty"`
	PreviousLogs []string `json:"previousLogs,omitempty"`
	// LogError says why logs could not be read, if so.
	LogError string `json:"logError,omitempty"`
	// LogsFrom names the pod whose logs these are when it is another pod of
	// the same workload (a scan reads one log per workload and container).
	LogsFrom string `json:"logsFrom,omitempty"`

	signals logSignals // what the whole log (both instances) says of the command
}

// DependencyReport is one dependency and what the cluster says about it.
type DependencyReport struct {
	Dependency
	// OK is true when the chain is complete: it has ready endpoints on the port.
	OK bool `json:"ok"`
	// Finding is the one-line conclusion, e.g. `Service "postgres" does not exist in namespace "demo"`.
	Finding string `json:"finding"`
	// Severity of the finding (progressing when the backing pods are starting).
	Severity Severity `json:"severity"`
	// Cause of a problem finding (missing-service, service-port, ...).
	Cause Cause `json:"cause,omitempty"`
	// Evidence are the facts found along the chain.
	Evidence []string `json:"evidence,omitempty"`
	// Next are suggested commands.
	Next []string `json:"-"`

	// accessUnknown is true when whether the pod's ServiceAccount may read
	// the object waited for could not be asked.
	accessUnknown bool
}
