package store

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	lru "github.com/hashicorp/golang-lru/v2"
)

// lookupCache is what BenchmarkCacheLookup measures.
type lookupCache interface {
	Get(code string) (string, bool)
	Add(code, long string) bool
}

// mapCache is the anchor: a map behind a RWMutex, no eviction, no recency
// bookkeeping — the least a shared in-process cache can cost.
type mapCache struct {
	mu sync.RWMutex
	m  map[string]string
}

func (c *mapCache) Get(code string) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	long, ok := c.m[code]
	return long, ok
}

func (c *mapCache) Add(code, long string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[code] = long
	return false
}

// BenchmarkCacheLookup runs the redirect path's cache use (Get, Add on a miss)
// from all CPUs over 10,000 codes drawn from a Zipf distribution: with the
// cache larger than the codes (every lookup hits, as in make bench-shortener)
// and smaller (misses/op shows the hit rate). Compare ns/op with the anchor of
// the same run; a redirect costs tens of microseconds.
func BenchmarkCacheLookup(b *testing.B) {
	const codes = 10000
	keys := make([]string, codes)
	for i := range keys {
		keys[i] = fmt.Sprintf("c%06d", i)
	}
	for _, size := range []int{100000, 2000} {
		impls := []struct {
			name string
			make func() lookupCache
		}{
			{"lru", func() lookupCache { c, _ := lru.New[string, string](size); return c }},
			{"anchor-map", func() lookupCache { return &mapCache{m: map[string]string{}} }},
		}
		for _, impl := range impls {
			if impl.name == "anchor-map" && size < codes {
				continue // the anchor never evicts
			}
			b.Run(fmt.Sprintf("size=%d/%s", size, impl.name), func(b *testing.B) {
				c := impl.make()
				for _, k := range keys {
					c.Add(k, "https://bench.example/"+k)
				}
				var mu sync.Mutex
				var misses int
				b.RunParallel(func(pb *testing.PB) {
					z := rand.NewZipf(rand.New(rand.NewPCG(rand.Uint64(), 1)), 1.1, 1, codes-1)
					n := 0
					for pb.Next() {
						k := keys[z.Uint64()]
						if _, ok := c.Get(k); !ok {
							n++
							c.Add(k, "https://bench.example/"+k)
						}
					}
					mu.Lock()
					misses += n
					mu.Unlock()
				})
				b.ReportMetric(float64(misses)/float64(b.N), "misses/op")
			})
		}
	}
}
