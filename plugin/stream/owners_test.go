package stream

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/source"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// TestOldReplicaSetForgotten: a ReplicaSet followed through its pods stops
// being followed once its last pod is gone (a rollout's old ReplicaSet),
// and is followed again when a pod of it comes back; the target's own
// owner is never dropped.
func TestOldReplicaSetForgotten(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	deploy := target.ObjectRef{Kind: "Deployment", Name: "web", UID: "d"}
	r := &runner{cfg: Config{Target: target.Target{Namespace: "ns", Owners: []target.ObjectRef{deploy}}},
		owners: map[types.UID]bool{}, ownerPods: map[types.UID]map[types.UID]bool{}}
	r.events = &source.Events{Client: fake.NewClientset(), Namespace: "ns", Emit: func(timeline.Entry) {}}
	pod := func(uid types.UID, owner types.UID, kind string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: string(uid), UID: uid,
			OwnerReferences: []metav1.OwnerReference{{Kind: kind, Name: string(owner), UID: owner, Controller: ptr.To(true)}}}}
	}
	r.events.Follow(ctx, deploy)
	for _, p := range []*corev1.Pod{pod("p1", "rs1", "ReplicaSet"), pod("p2", "rs1", "ReplicaSet"), pod("p3", "d", "Deployment")} {
		r.countOwnerPods(p, false)
		r.events.Follow(ctx, target.ObjectRef{Kind: "ReplicaSet", Name: "rs1", UID: p.OwnerReferences[0].UID})
	}
	if n := r.events.Watching(); n != 2 {
		t.Fatalf("watching %d, want 2 (the Deployment and rs1)", n)
	}
	r.cfg.EventLinger = time.Millisecond
	r.countOwnerPods(pod("p1", "rs1", "ReplicaSet"), true)
	if n := r.events.Watching(); n != 2 {
		t.Fatalf("watching %d after rs1's first pod went, want 2", n)
	}
	r.countOwnerPods(pod("p2", "rs1", "ReplicaSet"), true)
	r.countOwnerPods(pod("p3", "d", "Deployment"), true)
	if n := r.events.Watching(); n != 1 {
		t.Fatalf("watching %d after rs1's last pod went, want 1 (the Deployment)", n)
	}
	if !r.events.Follow(ctx, target.ObjectRef{Kind: "ReplicaSet", Name: "rs1", UID: "rs1"}) || r.events.Watching() != 2 {
		t.Fatal("a forgotten ReplicaSet is not followed again")
	}
	cancel()
	r.events.Wait()
}
