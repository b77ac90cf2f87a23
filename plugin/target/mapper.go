package target

import (
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/restmapper"
)

// NewMapper builds the RESTMapper that genericclioptions.ConfigFlags'
// ToRESTMapper builds (a deferred discovery mapper with kubectl's
// short-name expansion) over a discovery client of the caller's: shell
// completion uses one bound by its timeout, tests one that serves recorded
// discovery. The commands use ConfigFlags.ToRESTMapper itself.
func NewMapper(dc discovery.CachedDiscoveryInterface) meta.RESTMapper {
	return restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(dc), dc, nil)
}
