package store

import "sync"

// Cache maps codes to long URLs for the hottest codes. It keeps two generations
// of at most size/2 entries each: lookups that hit the old generation promote the
// entry, and when the current one fills up the old one is dropped. That is an
// approximate LRU with O(1) operations and no per-entry bookkeeping. Entries never
// go stale because URLs never change once created.
type Cache struct {
	mu       sync.RWMutex
	genSize  int
	cur, old map[string]string
}

// NewCache returns a cache holding up to size entries (at least 2).
func NewCache(size int) *Cache {
	g := max(size/2, 1)
	return &Cache{genSize: g, cur: make(map[string]string, g), old: map[string]string{}}
}

// Get returns the cached long URL for code.
func (c *Cache) Get(code string) (string, bool) {
	c.mu.RLock()
	long, ok := c.cur[code]
	if ok {
		c.mu.RUnlock()
		return long, true
	}
	long, ok = c.old[code]
	c.mu.RUnlock()
	if ok {
		c.Add(code, long)
	}
	return long, ok
}

// Add caches long under code.
func (c *Cache) Add(code, long string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.cur[code]; ok {
		return
	}
	if len(c.cur) >= c.genSize {
		c.old = c.cur
		c.cur = make(map[string]string, c.genSize)
	}
	c.cur[code] = long
}

// Len returns the number of cached entries (both generations; an entry may be
// counted twice right after promotion).
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.cur) + len(c.old)
}
