package stuck

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// Recorded kubelet messages. The formats are the kubelet's (v1.34
// pkg/kubelet/images/image_manager.go, pkg/kubelet/kubelet_pods.go); the
// runtime errors inside them are containerd's as users reported them:
const (
	// sympozium-ai/sympozium issue #5: a tag the registry lacks.
	notFoundImage = "ghcr.io/alexsjones/sympozium/apiserver:v0.0.29"
	notFoundErr   = `rpc error: code = NotFound desc = failed to pull and unpack image "ghcr.io/alexsjones/sympozium/apiserver:v0.0.29": failed to resolve reference "ghcr.io/alexsjones/sympozium/apiserver:v0.0.29": ghcr.io/alexsjones/sympozium/apiserver:v0.0.29: not found`
	// bank-vaults/bank-vaults issue #1640: a private image without credentials.
	privateImage = "ghcr.io/banzaicloud/vault-env:1.15.0"
	privateErr   = `rpc error: code = Unknown desc = failed to pull and unpack image "ghcr.io/banzaicloud/vault-env:1.15.0": failed to copy: httpReaderSeeker: failed open: unexpected status code https://ghcr.io/v2/banzaicloud/vault-env/blobs/sha256:766c52bc20840538b2aa166e6f4ab30906ccb620ef58d7f49394eec61fbfe144: 401 Unauthorized - Server message: unauthorized: unauthenticated: User cannot be authenticated with the token provided.`
	// cvisionai/tator issue #439: a short name, which the runtime expands.
	shortImage = "cvisionai/tator_online:b51d8990fc4c560c0a2c64d6ddd753aedb9bdeab"
	shortErr   = `rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/cvisionai/tator_online:b51d8990fc4c560c0a2c64d6ddd753aedb9bdeab": failed to resolve reference "docker.io/cvisionai/tator_online:b51d8990fc4c560c0a2c64d6ddd753aedb9bdeab": docker.io/cvisionai/tator_online:b51d8990fc4c560c0a2c64d6ddd753aedb9bdeab: not found`
	// Recorded on the project's cluster (Kubernetes v1.34.4, containerd) by
	// test/e2e/upfail_test.go: a loopback port nothing listens on. The
	// kubelet's event carries the runtime's error without its gRPC status.
	refusedImage = "127.0.0.1:5999/kubectl-initwait/shortener:missing"
	refusedEvent = `Failed to pull image "127.0.0.1:5999/kubectl-initwait/shortener:missing": failed to pull and unpack image "127.0.0.1:5999/kubectl-initwait/shortener:missing": failed to resolve reference "127.0.0.1:5999/kubectl-initwait/shortener:missing": failed to do request: Head "http://127.0.0.1:5999/v2/kubectl-initwait/shortener/manifests/missing": dial tcp 127.0.0.1:5999: connect: connection refused`
	// image_manager.go applyDefaultImageTag over distribution's reference parser.
	invalidImage = "docker.io/library/BusyBox:1.36"
	invalidMsg   = `Failed to apply default image tag "docker.io/library/BusyBox:1.36": couldn't parse image name "docker.io/library/BusyBox:1.36": invalid reference format: repository name (library/BusyBox) must be lowercase`
	// kubelet_pods.go makeEnvironmentVariables.
	missingKeyMsg = "couldn't find key DATABASE_URL in Secret shop/db-credentials"
)

var t0 = time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

// step is one thing the detector observes, s seconds after t0.
type step struct {
	s      int
	reason string // the container's waiting reason; "" = running
	msg    string
	event  *timeline.EventInfo
	gone   bool // the pod is deleted
	// terminating: the pod has a deletionTimestamp
	terminating bool
}

func waiting(s int, reason, msg string) step { return step{s: s, reason: reason, msg: msg} }
func event(s int, msg string, count int32) step {
	return step{s: s, event: &timeline.EventInfo{Type: "Warning", Reason: "Failed", Message: msg, Count: count, Object: "pod/web-1"}}
}

func pod(image, reason, msg string, init bool) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-1"}}
	cs := corev1.ContainerStatus{Name: "app", Image: image}
	if reason != "" {
		cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: reason, Message: msg}
	} else {
		cs.State.Running = &corev1.ContainerStateRunning{}
	}
	c := corev1.Container{Name: "app", Image: image}
	if init {
		p.Spec.InitContainers, p.Status.InitContainerStatuses = []corev1.Container{c}, []corev1.ContainerStatus{cs}
		p.Spec.Containers = []corev1.Container{{Name: "main", Image: "busybox"}}
	} else {
		p.Spec.Containers, p.Status.ContainerStatuses = []corev1.Container{c}, []corev1.ContainerStatus{cs}
	}
	return p
}

func TestDetector(t *testing.T) {
	backOff := func(image, err string) string { return `Back-off pulling image "` + image + `": ErrImagePull: ` + err }
	tests := []struct {
		name    string
		image   string
		init    bool
		steps   []step
		wantAt  int // the step second at which it is found; -1: never
		cause   Cause
		tries   int
		message string
	}{
		{"a missing tag: stuck when the second pull fails", notFoundImage, false, []step{
			waiting(1, "ErrImagePull", notFoundErr),
			event(1, `Failed to pull image "`+notFoundImage+`": `+notFoundErr, 1),
			waiting(2, "ImagePullBackOff", backOff(notFoundImage, notFoundErr)),
			waiting(16, "ErrImagePull", notFoundErr),
		}, 16, CauseImagePull, 2, `Failed to pull image "` + notFoundImage + `": ` + notFoundErr},
		{"the event's count is the second try when the statuses are coalesced", privateImage, false, []step{
			waiting(1, "ImagePullBackOff", backOff(privateImage, privateErr)),
			event(1, `Failed to pull image "`+privateImage+`": `+privateErr, 1),
			event(17, `Failed to pull image "`+privateImage+`": `+privateErr, 2),
		}, 17, CauseImagePull, 2, `Failed to pull image "` + privateImage + `": ` + privateErr},
		{"no events (another pod's timeline): the waiting message, worded as the event", privateImage, false, []step{
			waiting(1, "ErrImagePull", privateErr),
			waiting(3, "ImagePullBackOff", backOff(privateImage, privateErr)),
			waiting(29, "ImagePullBackOff", backOff(privateImage, privateErr)),
			waiting(31, "ImagePullBackOff", backOff(privateImage, privateErr)),
		}, 31, CauseImagePull, 1, `Failed to pull image "` + privateImage + `": ` + privateErr},
		{"a short name: the event names the image as the spec does", shortImage, true, []step{
			waiting(1, "ErrImagePull", shortErr),
			event(1, `Failed to pull image "`+shortImage+`": `+shortErr, 1),
			event(20, `Failed to pull image "`+shortImage+`": `+shortErr, 2),
		}, 20, CauseImagePull, 2, `Failed to pull image "` + shortImage + `": ` + shortErr},
		{"recorded: PodInitializing in the table, the second try in the event's count", refusedImage, false, []step{
			event(0, refusedEvent, 1),
			waiting(1, "ErrImagePull", strings.TrimPrefix(refusedEvent, `Failed to pull image "`+refusedImage+`": `)),
			event(11, refusedEvent, 2),
		}, 11, CauseImagePull, 2, refusedEvent},
		{"a pull that fails once and then succeeds is not stuck", notFoundImage, false, []step{
			waiting(1, "ErrImagePull", notFoundErr),
			waiting(2, "ImagePullBackOff", backOff(notFoundImage, notFoundErr)),
			waiting(12, "", ""),
			waiting(40, "", ""),
		}, -1, "", 0, ""},
		{"an unparsable image at once", invalidImage, false, []step{
			waiting(1, "InvalidImageName", invalidMsg),
		}, 1, CauseInvalidImage, 0, invalidMsg},
		{"pull policy Never without the image, at once", "shortener:dev", false, []step{
			waiting(1, "ErrImageNeverPull", `Container image "shortener:dev" is not present with pull policy of Never`),
		}, 1, CauseImageAbsent, 0, `Container image "shortener:dev" is not present with pull policy of Never`},
		{"a missing Secret key, once the kubelet has retried", "busybox:1.36", false, []step{
			waiting(1, "CreateContainerConfigError", missingKeyMsg),
			event(1, "Error: "+missingKeyMsg, 1),
			event(12, "Error: "+missingKeyMsg, 2),
		}, 12, CauseConfig, 0, missingKeyMsg},
		{"a missing Secret key without events: after its grace", "busybox:1.36", false, []step{
			waiting(1, "CreateContainerConfigError", missingKeyMsg),
			waiting(20, "CreateContainerConfigError", missingKeyMsg),
			waiting(21, "CreateContainerConfigError", missingKeyMsg),
		}, 21, CauseConfig, 0, missingKeyMsg},
		{"a key added in time clears it", "busybox:1.36", false, []step{
			waiting(1, "CreateContainerConfigError", missingKeyMsg),
			waiting(10, "", ""),
			waiting(30, "", ""),
		}, -1, "", 0, ""},
		{"a deleted pod is forgotten", notFoundImage, false, []step{
			waiting(1, "ErrImagePull", notFoundErr),
			{s: 5, gone: true},
			waiting(40, "", ""),
		}, -1, "", 0, ""},
		{"a pod being deleted (a rollout replaces it) does not count", notFoundImage, false, []step{
			event(0, `Failed to pull image "`+notFoundImage+`": `+notFoundErr, 2), // its history, listed
			{s: 1, reason: "ImagePullBackOff", msg: backOff(notFoundImage, notFoundErr), terminating: true},
			event(3, `Failed to pull image "`+notFoundImage+`": `+notFoundErr, 3),
			{s: 40, reason: "ImagePullBackOff", msg: backOff(notFoundImage, notFoundErr), terminating: true},
		}, -1, "", 0, ""},
		{"ImagePullBackOff of an old kubelet (no error in it)", notFoundImage, false, []step{
			waiting(1, "ImagePullBackOff", `Back-off pulling image "`+notFoundImage+`"`),
			waiting(31, "ImagePullBackOff", `Back-off pulling image "`+notFoundImage+`"`),
		}, 31, CauseImagePull, 0, `Back-off pulling image "` + notFoundImage + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Detector
			var got []Finding
			foundAt := -1
			for _, st := range tt.steps {
				now := at(st.s)
				switch {
				case st.event != nil:
					d.ObserveEntry(timeline.Entry{Time: now, Kind: timeline.KindEvent, Namespace: "shop", Pod: "web-1", Event: st.event})
				default:
					p := pod(tt.image, st.reason, st.msg, tt.init)
					if st.terminating {
						p.DeletionTimestamp = &metav1.Time{Time: now}
					}
					d.ObservePod(p, st.gone, now)
				}
				if fs := d.Check(now); len(fs) > 0 {
					if foundAt >= 0 {
						t.Fatalf("found again at %ds: %+v", st.s, fs)
					}
					foundAt, got = st.s, fs
				}
			}
			if foundAt != tt.wantAt {
				t.Fatalf("found at %ds (%+v), want %ds", foundAt, got, tt.wantAt)
			}
			if tt.wantAt < 0 {
				return
			}
			f := got[0]
			if len(got) != 1 || f.Cause != tt.cause || f.Tries != tt.tries || f.Message != tt.message ||
				f.Pod != "web-1" || f.Container != "app" || f.Image != tt.image || f.Init != tt.init || !f.Since.Equal(at(1)) {
				t.Errorf("found %+v\nwant cause %s, %d tries, message %q", got, tt.cause, tt.tries, tt.message)
			}
		})
	}
}

// TestDetectorOneFindingPerKey: three replicas that cannot pull one image
// are one finding; the events of other reasons change nothing.
func TestDetectorOneFindingPerKey(t *testing.T) {
	var d Detector
	for _, name := range []string{"web-1", "web-2", "web-3"} {
		p := pod(notFoundImage, "InvalidImageName", invalidMsg, false)
		p.Name = name
		d.ObservePod(p, false, at(1))
	}
	d.ObserveEntry(timeline.Entry{Kind: timeline.KindEvent, Namespace: "shop", Pod: "web-1",
		Event: &timeline.EventInfo{Reason: "Failed", Message: "Error: InvalidImageName", Count: 5}})
	fs := d.Check(at(1))
	if len(fs) != 1 || fs[0].Pod != "web-1" {
		t.Fatalf("Check = %+v, want one finding for web-1", fs)
	}
	if again := d.Check(at(90)); len(again) != 0 {
		t.Errorf("Check again = %+v, want nothing new", again)
	}
	if !strings.Contains(fs[0].Problem(), `pod web-1: container app (image "`+notFoundImage+`") cannot start: InvalidImageName: `) {
		t.Errorf("Problem = %s", fs[0].Problem())
	}
}
