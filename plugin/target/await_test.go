package target_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target/targettest"
)

// TestAwaitCreated waits through reads that find nothing, says so once,
// and returns the target resolved as Resolve would once it exists; errors
// other than not found and a context that ends are returned as such.
func TestAwaitCreated(t *testing.T) {
	notFound := apierrors.NewNotFound(schema.GroupResource{Group: "apps", Resource: "deployments"}, "webapp")
	tests := []struct {
		name      string
		spec      target.Spec
		misses    int32 // reads answered not found before the object exists
		otherErr  error
		timeout   time.Duration
		wantSaid  []string
		wantReads int32
		wantErr   string
		wantTO    bool
	}{
		{name: "exists at once", spec: target.Spec{Name: "webapp"}, wantReads: 1},
		{name: "created after three reads", spec: target.Spec{Name: "webapp"}, misses: 3,
			wantSaid: []string{"deployment/webapp"}, wantReads: 4},
		{name: "a TYPE/NAME spelling", spec: target.Spec{Kind: "deploy", Name: "webapp"}, misses: 1,
			wantSaid: []string{"deployment/webapp"}, wantReads: 2},
		{name: "never created", spec: target.Spec{Name: "webapp"}, misses: 1 << 30, timeout: 50 * time.Millisecond,
			wantSaid: []string{"deployment/webapp"}, wantErr: `deployment/webapp was not created in namespace "demo"`, wantTO: true},
		{name: "forbidden is not waited for", spec: target.Spec{Name: "webapp"},
			otherErr: apierrors.NewForbidden(schema.GroupResource{Group: "apps", Resource: "deployments"}, "webapp", errors.New("no")),
			wantErr:  "forbidden", wantReads: 1},
		{name: "unknown TYPE is not waited for", spec: target.Spec{Kind: "frobnicator", Name: "x"}, wantErr: "frobnicator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := fake.NewClientset(cluster()...)
			var reads atomic.Int32
			client.PrependReactor("get", "deployments", func(clienttesting.Action) (bool, runtime.Object, error) {
				n := reads.Add(1)
				switch {
				case tt.otherErr != nil:
					return true, nil, tt.otherErr
				case n <= tt.misses:
					return true, nil, notFound
				}
				return false, nil, nil
			})
			var said []string
			a := target.Awaiter{Resolver: target.Resolver{Client: client, Mapper: targettest.Mapper()},
				Poll: time.Millisecond, OnWaiting: func(d string) { said = append(said, d) }}
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			got, err := a.Resolve(ctx, ns, tt.spec)
			if strings.Join(said, ",") != strings.Join(tt.wantSaid, ",") {
				t.Errorf("OnWaiting calls = %q, want %q", said, tt.wantSaid)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				var te *target.CreateTimeoutError
				if errors.As(err, &te) != tt.wantTO || (tt.wantTO && !errors.Is(err, context.DeadlineExceeded)) {
					t.Fatalf("error = %#v, want a CreateTimeoutError: %v", err, tt.wantTO)
				}
				if tt.wantReads > 0 && reads.Load() != tt.wantReads {
					t.Fatalf("reads = %d, want %d", reads.Load(), tt.wantReads)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got.LabelSelector != "app=webapp" || got.Description != "deployment/webapp" {
				t.Fatalf("target = %+v, want deployment/webapp with app=webapp", got)
			}
			if reads.Load() != tt.wantReads {
				t.Fatalf("reads = %d, want %d", reads.Load(), tt.wantReads)
			}
		})
	}
}

// TestAwaitCreatedSeesALaterCreate follows a Deployment created while it
// waits, through the fake clientset's tracker rather than a reactor.
func TestAwaitCreatedSeesALaterCreate(t *testing.T) {
	client := fake.NewClientset()
	created := make(chan struct{})
	a := target.Awaiter{Resolver: target.Resolver{Client: client}, Poll: time.Millisecond, OnWaiting: func(string) {
		go func() {
			d := &appsv1.Deployment{ObjectMeta: objectMeta("webapp"), Spec: appsv1.DeploymentSpec{Selector: selector("webapp")}}
			_ = client.Tracker().Add(d)
			close(created)
		}()
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := a.Resolve(ctx, ns, target.Spec{Name: "webapp"})
	if err != nil {
		t.Fatal(err)
	}
	<-created
	if got.Owners[0].UID != "uid-webapp" {
		t.Fatalf("owners = %+v", got.Owners)
	}
}
