//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// bigLines is how many 1 KiB lines the init container writes: more than the
// kubelet's containerLogMaxSize (not set in test/cluster/components.sh's
// kubelet.yaml, so the default 10Mi).
const bigLines = 11000

// TestWatchRotatedLogOfCrashedInstance: an init container writes more than
// containerLogMaxSize, waits past the kubelet's rotation check and crashes.
// A watch that followed it live prints every line once; a watch started
// after the crash can read nothing (the kubelet serves only the current,
// rotated file) and says what was lost instead of printing nothing.
func TestWatchRotatedLogOfCrashedInstance(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "fault-rotate")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	live, lrec, _ := startPlugin(t, ctx, "watch", "-n", ns, "-l", "app=big", "-o", "json", "--timeout", "60s")
	init := shContainer("big", fmt.Sprintf(`pad=$(printf '%%01000d' 0); i=0
while [ $i -lt %d ]; do i=$((i+1)); echo "big $i $pad"; done
sleep 15; exit 1`, bigLines))
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "big", Namespace: ns, Labels: map[string]string{"app": "big"}},
		Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, InitContainers: []corev1.Container{init},
			Containers: []corev1.Container{shContainer("app", "sleep 3600")}}}
	if _, err := clientset.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Minute, "the init container to crash", func(ctx context.Context) (bool, error) {
		p, err := clientset.CoreV1().Pods(ns).Get(ctx, "big", metav1.GetOptions{})
		if err != nil || len(p.Status.InitContainerStatuses) == 0 {
			return false, err
		}
		return p.Status.InitContainerStatuses[0].State.Terminated != nil, nil
	})
	if got := kubectl(t, "logs", "-n", ns, "big", "-c", "big"); strings.Contains(got, "big 1 ") {
		t.Skipf("the kubelet did not rotate the log (kubectl logs still shows the first line); nothing to test")
	}
	_ = live.Wait()
	count := map[string]int{}
	for _, j := range jsonLines(t, lrec.snapshot()) {
		if j.Kind == "log" {
			count[strings.Fields(*j.Line)[1]]++
		}
	}
	for i := 1; i <= bigLines; i++ {
		if n := count[fmt.Sprint(i)]; n != 1 {
			t.Errorf("followed live: line %d printed %d times", i, n)
			break
		}
	}

	after, arec, aerr := startPlugin(t, ctx, "watch", "pod/big", "-n", ns, "-o", "json", "--timeout", "8s")
	if err := after.Wait(); err != nil {
		t.Fatalf("plugin: %v\n%s", err, aerr)
	}
	var notes []string
	lines := 0
	for _, j := range jsonLines(t, arec.snapshot()) {
		switch j.Kind {
		case "log":
			lines++
		case "notice":
			if strings.Contains(j.Message, "containerLogMaxSize") {
				notes = append(notes, j.Message)
			}
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "container big (instance ") || !strings.Contains(notes[0], "its log is empty") {
		t.Fatalf("after the crash: %d log lines and rotation notes %q, want one note that the log is empty", lines, notes)
	}
	t.Logf("after the crash: %s", notes[0])
}
