package demo

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stream"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// BeforeText gets what the run saw and writes just before the text report
// (compare's bars), so the report stays the last thing printed.
func TestCompareBeforeText(t *testing.T) {
	var out bytes.Buffer
	var seen int
	pods := []*corev1.Pod{testPod("webapp-7c-a", true), testPod("postgres-6f-b", true)}
	clients := Clients{Stack: &cleaningStack{}, Stream: stream.Clients{Kube: fake.NewSimpleClientset(), Tables: fixedTables(pods), Logs: noLogs{}}}
	_, err := Compare(context.Background(), clients, CompareConfig{
		Stack:   stack.RenderOptions{Namespace: "cmp", Variants: []stack.Variant{stack.VariantInit}},
		DBDelay: time.Hour, Timeout: 5 * time.Second,
		Timeline: timeline.SinkFunc(func(timeline.Entry) error { return nil }),
		Report:   &out, Progress: &bytes.Buffer{}, Notes: &bytes.Buffer{},
		BeforeText: func(res CompareResult) error {
			seen = len(res.Entries)
			_, err := fmt.Fprintln(&out, "BARS")
			return err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if seen == 0 || !strings.HasPrefix(text, "BARS\n") || !strings.Contains(text, "compare in namespace cmp") {
		t.Errorf("BeforeText saw %d entries; output:\n%s", seen, text)
	}
}
