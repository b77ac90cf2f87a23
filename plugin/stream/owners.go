package stream

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// countOwnerPods keeps the live pods of each controller of p; a controller
// left without any, and not one of the target's owners, is forgotten: its
// events watch ends after EventLinger, and a later pod of it follows it again.
func (r *runner) countOwnerPods(p *corev1.Pod, deleted bool) {
	for _, o := range p.OwnerReferences {
		if o.Controller == nil || !*o.Controller || r.targetOwner(o.UID) {
			continue
		}
		r.mu.Lock()
		set := r.ownerPods[o.UID]
		if set == nil {
			set = map[types.UID]bool{}
			r.ownerPods[o.UID] = set
		}
		forget := false
		if deleted {
			delete(set, p.UID)
			if forget = len(set) == 0; forget {
				delete(r.ownerPods, o.UID)
				delete(r.owners, o.UID)
			}
		} else {
			set[p.UID] = true
		}
		r.mu.Unlock()
		if forget {
			r.events.Forget(o.UID, r.cfg.EventLinger)
		}
	}
}

func (r *runner) targetOwner(uid types.UID) bool {
	for _, o := range r.cfg.Target.Owners {
		if o.UID == uid {
			return true
		}
	}
	return false
}
