package store

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// ClickCounter batches click counts in memory and writes them in one UPDATE per
// interval, so that redirects never wait for a write. Counts that fail to flush
// (database down) are kept and retried; counts still pending when the process
// dies are lost, which is the price of not slowing redirects down.
type ClickCounter struct {
	pool     *pgxpool.Pool
	interval time.Duration

	mu      sync.Mutex
	pending map[string]int64

	// flushing is held for writing during a flush, and for reading by readers
	// that add pending counts to the stored ones, so that they never see a batch
	// in neither place (or in both).
	flushing sync.RWMutex

	stop chan struct{}
	done chan struct{}
}

// NewClickCounter starts a counter that flushes every interval.
func NewClickCounter(pool *pgxpool.Pool, interval time.Duration) *ClickCounter {
	c := &ClickCounter{
		pool: pool, interval: interval, pending: map[string]int64{},
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	go c.loop()
	return c
}

// Add counts one click on code.
func (c *ClickCounter) Add(code string) {
	c.mu.Lock()
	c.pending[code]++
	c.mu.Unlock()
}

// WithPending runs read (a query of stored counts) with no flush in progress and
// then returns the clicks on code not yet written, consistent with what read saw.
func (c *ClickCounter) WithPending(code string, read func() error) (int64, error) {
	c.flushing.RLock()
	defer c.flushing.RUnlock()
	if err := read(); err != nil {
		return 0, err
	}
	return c.Pending(code), nil
}

// Pending returns the clicks on code not yet written.
func (c *ClickCounter) Pending(code string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pending[code]
}

func (c *ClickCounter) loop() {
	defer close(c.done)
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = c.Flush(ctx) // kept for the next tick on failure
			cancel()
		}
	}
}

// Stop ends the background loop and flushes what is pending, bounded by ctx.
func (c *ClickCounter) Stop(ctx context.Context) error {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	<-c.done
	return c.Flush(ctx)
}

const flushSQL = `UPDATE urls SET clicks = urls.clicks + v.n
FROM unnest($1::text[], $2::bigint[]) AS v(code, n) WHERE urls.code = v.code`

// Flush writes all pending counts in one statement. On failure they are merged
// back so that nothing is counted twice or dropped.
func (c *ClickCounter) Flush(ctx context.Context) error {
	c.flushing.Lock()
	defer c.flushing.Unlock()
	c.mu.Lock()
	batch := c.pending
	if len(batch) == 0 {
		c.mu.Unlock()
		return nil
	}
	c.pending = make(map[string]int64, len(batch))
	c.mu.Unlock()

	codes := make([]string, 0, len(batch))
	counts := make([]int64, 0, len(batch))
	for code, n := range batch {
		codes = append(codes, code)
		counts = append(counts, n)
	}
	if _, err := c.pool.Exec(ctx, flushSQL, codes, counts); err != nil {
		c.mu.Lock()
		for code, n := range batch {
			c.pending[code] += n
		}
		c.mu.Unlock()
		return err
	}
	return nil
}
