package stuck

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/localcluster"
)

// Advice is what Line needs to say what to do.
type Advice struct {
	// Cluster is the detected local cluster: its load command comes first.
	Cluster localcluster.Cluster
	// ImageFlags maps an image to the flag that chooses it ("--image").
	// Without one the advice is to change the workload's image.
	ImageFlags map[string]string
	// Remove is the command that removes what was deployed; when set, the
	// line says the stack is left in place for inspection.
	Remove string
	// Diagnose adds `look closer with kubectl initwait diagnose pod/POD -n NS`.
	Diagnose bool
}

var (
	// missingKeyRe reads kubelet_pods.go's `couldn't find key %v in Secret %v/%v`.
	missingKeyRe = regexp.MustCompile(`^couldn't find key (\S+) in (Secret|ConfigMap) ([^/\s]+)/(\S+)$`)
	// missingObjectRe reads the API's NotFound, `secret "db" not found`.
	missingObjectRe = regexp.MustCompile(`^(secret|configmap) "([^"]+)" not found$`)
	// authRe finds a registry's refusal for want of credentials, in
	// containerd's and CRI-O's words.
	authRe = regexp.MustCompile(`(?i)401 Unauthorized|403 Forbidden|authorization failed|no basic auth credentials|pull access denied|insufficient_scope|authentication required|requested access to the resource is denied`)
)

// Line is the one line that reports f and says what to do about it.
func Line(f Finding, a Advice) string {
	parts := []string{f.Problem(), a.remedy(f)}
	if a.Diagnose {
		parts = append(parts, fmt.Sprintf("look closer with kubectl initwait diagnose pod/%s -n %s", f.Pod, f.Namespace))
	}
	if a.Remove != "" {
		parts = append(parts, "the stack is left in place for inspection; remove it with "+a.Remove)
	}
	return strings.Join(parts, "; ")
}

// remedy says what to do about f.
func (a Advice) remedy(f Finding) string {
	useOther := "set the container's image to one the cluster can pull"
	if flag := a.ImageFlags[f.Image]; flag != "" {
		useOther = "pass " + flag + " REF with an image the cluster can pull"
	}
	load := func() string {
		var s string
		if a.Cluster.Kind != localcluster.Unknown {
			s = "load the image into this " + a.Cluster.String() + ": "
		} else {
			s = "load the image into the cluster: "
		}
		return s + strings.Join(a.Cluster.LoadCommands(f.Image), ", or ")
	}
	switch f.Cause {
	case CauseInvalidImage:
		if flag := a.ImageFlags[f.Image]; flag != "" {
			return "pass " + flag + " REF with a valid image reference"
		}
		return "fix the container's image reference"
	case CauseImageAbsent:
		return "the pull policy is Never, so the image must be on the node already: " + load() + "; or " + useOther
	case CauseImagePull:
		s := useOther + ", or " + load()
		if authRe.MatchString(f.Message) {
			s += fmt.Sprintf("; the registry wants credentials: give the pods an image pull secret (kubectl create secret docker-registry regcred -n %s --docker-server=... ; kubectl patch serviceaccount default -n %s -p '{\"imagePullSecrets\":[{\"name\":\"regcred\"}]}')", f.Namespace, f.Namespace)
		}
		return s
	case CauseConfig:
		if m := missingKeyRe.FindStringSubmatch(f.Message); m != nil {
			return fmt.Sprintf("add key %s to %s %s (kubectl edit %s %s -n %s), or fix the container's reference to it",
				m[1], m[2], m[4], strings.ToLower(m[2]), m[4], m[3])
		}
		if m := missingObjectRe.FindStringSubmatch(f.Message); m != nil {
			return fmt.Sprintf("create %s %s in namespace %s, or fix the container's reference to it", m[1], m[2], f.Namespace)
		}
		return "fix the container's configuration"
	}
	return ""
}
