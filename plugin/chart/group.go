package chart

import (
	"strings"
	"unicode"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/compare"
)

// DefaultGroup is the workload a pod name says it belongs to: a
// StatefulSet's NAME of NAME-<ordinal> (up to 4 digits: a ReplicaSet's pod
// suffix has 5 characters), a Deployment's NAME of NAME-<hash>-<suffix>,
// else the pod's own name.
func DefaultGroup(pod string) string {
	if i := strings.LastIndexByte(pod, '-'); i > 0 && len(pod)-i-1 >= 1 && len(pod)-i-1 <= 4 &&
		strings.IndexFunc(pod[i+1:], notDigit) < 0 {
		return pod[:i]
	}
	if d := compare.DeploymentOfPod(pod); d != "" {
		return d
	}
	return pod
}

func notDigit(r rune) bool { return !unicode.IsDigit(r) }
