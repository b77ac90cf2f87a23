// Package stuck tells, from a pod's container statuses and the kubelet's
// events, when a container can never start by itself: its image cannot
// be pulled (past the kubelet's second try), cannot even be parsed, is
// absent under pull policy Never, or its environment names a Secret or
// ConfigMap key that is not there. A Detector turns what it observes into
// Findings; Line words one as the one line up, compare and watch print,
// with what to do about it. It knows nothing about client-go or cobra.
//
// The reasons and messages are the kubelet's own (Kubernetes v1.34):
// pkg/kubelet/images/types.go (ErrImagePull, ImagePullBackOff,
// InvalidImageName, ErrImageNeverPull), pkg/kubelet/images/image_manager.go
// (the events `Failed to pull image %q: %v` and `Back-off pulling image
// %q`, the waiting messages), pkg/kubelet/kuberuntime/kuberuntime_container.go
// (CreateContainerConfigError, the event `Error: %v`) and
// pkg/kubelet/kubelet_pods.go (`couldn't find key %v in Secret %v/%v`).
package stuck

import (
	"fmt"
	"strings"
	"time"
)

// Cause is the kind of thing that keeps a container from starting.
type Cause string

// The causes.
const (
	// CauseImagePull: the image could not be pulled, twice or for long.
	CauseImagePull Cause = "image-pull"
	// CauseInvalidImage: the kubelet cannot parse the image reference.
	CauseInvalidImage Cause = "invalid-image"
	// CauseImageAbsent: pull policy Never and the node lacks the image.
	CauseImageAbsent Cause = "image-absent"
	// CauseConfig: the container's configuration cannot be made, e.g. a
	// Secret or ConfigMap key its environment names is missing.
	CauseConfig Cause = "config"
)

// Finding is a container that can never start by itself.
type Finding struct {
	Namespace, Pod, Container string
	// Init is set for an init container.
	Init  bool
	Image string
	Cause Cause
	// Reason is the container's waiting reason (ErrImagePull, ...).
	Reason string
	// Message is the kubelet's own words: its event (`Failed to pull image
	// "...": ...`) or the waiting message.
	Message string
	// Tries is the number of failed pulls seen (image pulls only).
	Tries int
	// Since is when the container was first seen failing so.
	Since time.Time
}

// Key identifies what is wrong regardless of the pod: the replicas of one
// Deployment that cannot pull one image share it.
func (f Finding) Key() string {
	return strings.Join([]string{f.Namespace, f.Container, f.Image, string(f.Cause)}, "|")
}

// Problem says in one clause what cannot start and why, in the kubelet's
// words: `pod P: container C (image "I") cannot start: ErrImagePull after
// 2 tries: Failed to pull image "I": ...`.
func (f Finding) Problem() string {
	what := "container"
	if f.Init {
		what = "init container"
	}
	reason := f.Reason
	if f.Cause == CauseImagePull && f.Tries > 1 {
		reason += fmt.Sprintf(" after %d tries", f.Tries)
	}
	msg := oneLine(f.Message)
	if msg == "" {
		msg = "(the kubelet gave no message)"
	}
	return fmt.Sprintf("pod %s: %s %s (image %q) cannot start: %s: %s", f.Pod, what, f.Container, f.Image, reason, msg)
}

// oneLine folds a message's line breaks (runtimes' errors may carry them).
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
