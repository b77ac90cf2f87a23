package diagnose

// Cause names the first thing to fix for a pod (PodReport.Cause) or a
// dependency (DependencyReport.Cause); the scan groups pods by it.
type Cause string

// The causes, in the order the scan lists their groups when counts tie.
const (
	CauseMissingTool     Cause = "missing-tool"
	CauseBrokenProbe     Cause = "broken-probe"
	CauseForbidden       Cause = "forbidden"
	CauseMissingService  Cause = "missing-service"
	CauseMissingObject   Cause = "missing-object"
	CauseServicePort     Cause = "service-port"
	CauseNoBackingPods   Cause = "service-selects-nothing"
	CauseDependency      Cause = "dependency-not-ready"
	CauseLocalhost       Cause = "probes-localhost"
	CauseMissingSecret   Cause = "missing-secret"
	CauseMissingConfig   Cause = "missing-configmap"
	CauseImagePull       Cause = "image-pull"
	CauseCreateError     Cause = "create-error"
	CauseCrashLoop       Cause = "crash-loop"
	CauseFailed          Cause = "pod-failed"
	CauseUnschedulable   Cause = "unschedulable"
	CauseNotReady        Cause = "not-ready"
	CauseWaitingFile     Cause = "waiting-on-file"
	CauseWaiting         Cause = "waiting"
	CauseStarting        Cause = "starting"
	CauseTerminating     Cause = "terminating"
	CauseConditions      Cause = "pod-conditions"
	CauseUnknownProgress Cause = "unknown"
)

// causeTitles are the group headings of the scan, in the order it lists
// groups whose counts tie.
var causeTitles = []struct {
	cause Cause
	title string
}{
	{CauseMissingTool, "missing tool"}, {CauseBrokenProbe, "broken probe"},
	{CauseForbidden, "ServiceAccount may not read what it waits for"},
	{CauseMissingService, "missing Service"}, {CauseMissingObject, "missing object it waits for"}, {CauseServicePort, "Service lacks the probed port"},
	{CauseNoBackingPods, "Service selects no pods"}, {CauseDependency, "dependency not ready"},
	{CauseLocalhost, "probes localhost"},
	{CauseMissingSecret, "missing Secret"}, {CauseMissingConfig, "missing ConfigMap"},
	{CauseImagePull, "image pull"}, {CauseCreateError, "container cannot be created"},
	{CauseCrashLoop, "crash loop"}, {CauseFailed, "pod failed"}, {CauseUnschedulable, "not scheduled"},
	{CauseNotReady, "running but not Ready"}, {CauseWaitingFile, "waiting on a file"}, {CauseWaiting, "waiting"},
	{CauseStarting, "starting"}, {CauseTerminating, "being deleted"}, {CauseConditions, "pod conditions"},
	{CauseUnknownProgress, "other"},
}

// rank orders causes for ties.
func (c Cause) rank() int {
	for i, t := range causeTitles {
		if t.cause == c {
			return i
		}
	}
	return len(causeTitles)
}

// Title is the cause's group heading.
func (c Cause) Title() string {
	if i := c.rank(); i < len(causeTitles) {
		return causeTitles[i].title
	}
	return string(c)
}

// refCause is the cause of a missing Secret or ConfigMap.
func refCause(r refProblem) Cause {
	if r.kind == "Secret" {
		return CauseMissingSecret
	}
	return CauseMissingConfig
}

// dependencyCause is the cause a pod inherits from the dependency its verdict names.
func dependencyCause(deps []DependencyReport, otherwise Cause) Cause {
	if dr, ok := worstDependency(deps); ok && dr.Severity == SeverityProblem && dr.Cause != "" {
		return dr.Cause
	}
	return otherwise
}
