package redis

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/storage/redis/redistest"
)

// cutProxy forwards TCP to Redis and can lose, once, either the next
// reply (the command ran, its answer never arrives) or the next request
// (it never runs), closing the client's connection as a network break.
type cutProxy struct {
	l           net.Listener
	target      string
	dropReply   atomic.Bool
	dropRequest atomic.Bool
	wg          sync.WaitGroup
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{l: l, target: target}
	go p.serve()
	t.Cleanup(func() { l.Close(); p.wg.Wait() })
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.wg.Add(2)
		go func() { defer p.wg.Done(); p.pipe(c, s, &p.dropRequest) }()
		go func() { defer p.wg.Done(); p.pipe(s, c, &p.dropReply) }()
	}
}

// pipe copies src to dst; when drop is set it swallows one chunk and
// breaks both connections.
func (p *cutProxy) pipe(src, dst net.Conn, drop *atomic.Bool) {
	defer src.Close()
	defer dst.Close()
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if drop.CompareAndSwap(true, false) {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return
			}
			return
		}
	}
}

// TestUpdateOutcomeCheckedAfterLostReply: an update whose reply is lost is
// read back before answering: applied → success (one event, not two on a
// retry); never arrived → "not applied", and the token is fenced so the
// lost command can never land afterwards; a retry of it then applies once.
func TestUpdateOutcomeCheckedAfterLostReply(t *testing.T) {
	srv := redistest.StartServer(t)
	if srv.Kind != "redis-server" {
		t.Skip("needs a real redis-server for connection cuts")
	}
	px := newCutProxy(t, srv.Addr)
	client, err := NewClient(Config{URL: "redis://" + px.l.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	s := New(client, WithPrefix(redistest.Prefix(t, client)))
	ctx := context.Background()
	d := &coach.Deal{Team: "T", Name: "x", Status: coach.StatusOpen}
	if err := s.CreateDeal(ctx, d, nil); err != nil {
		t.Fatal(err)
	}
	// note adds a note; cut (may be nil) arms the proxy just before the
	// update is sent.
	note := func(tok, text string, cut *atomic.Bool) error {
		c := mustDeal(t, s, d.ID)
		c.Notes = append(c.Notes, coach.Note{Text: text})
		if cut != nil {
			cut.Store(true)
		}
		return s.UpdateDeal(coach.WithUpdateToken(ctx, tok), c, []coach.Event{{Kind: "note", After: text}})
	}

	// Load the scripts first: a lost NOSCRIPT reply would be a lost
	// request (EVAL never sent), case 2.
	if err := note("tok-0", "zero", nil); err != nil {
		t.Fatal(err)
	}
	if err := checkUpdateScript.Load(ctx, client).Err(); err != nil {
		t.Fatal(err)
	}

	// 1. Applied, reply lost: told the truth (success), and a retry with
	// the same token does not write again.
	if err := note("tok-1", "one", &px.dropReply); err != nil {
		t.Fatalf("update whose reply was lost after it applied: %v, want success (checked)", err)
	}
	if err := note("tok-1", "one", nil); err != nil {
		t.Fatal(err)
	}

	// 2. Never arrived: told "not applied", and fenced.
	err = note("tok-2", "two", &px.dropRequest)
	if err == nil || coach.IsOutcomeUnknown(err) {
		t.Fatalf("update that never arrived: %v, want a checked failure", err)
	}
	// The lost command turning up late (same token, as if still in flight):
	// refused by the fence.
	late := mustDeal(t, s, d.ID)
	k := s.team("T")
	r, err := updateDealScript.Run(ctx, client, []string{k.deal(d.ID), k.hist(d.ID), k.progress()},
		late.Version, late.Version+1, `{}`, "1", 0, d.ID, "tok-2", `{"kind":"note"}`).Int64()
	if err != nil || r != -3 {
		t.Fatalf("late arrival of the fenced update: %d, %v; want -3", r, err)
	}
	// The user (or the inbox) tries again with the same token: a new
	// attempt, applied once.
	if err := note("tok-2", "two", nil); err != nil {
		t.Fatalf("retry after a checked failure: %v", err)
	}
	if err := note("tok-2", "two", nil); err != nil {
		t.Fatal(err)
	}

	got := mustDeal(t, s, d.ID)
	h, err := s.History(ctx, "T", d.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Notes) != 3 || len(h) != 3 {
		t.Fatalf("%d notes, %d events; want 3 and 3 (zero, one, two — each once)", len(got.Notes), len(h))
	}
	t.Logf("lost reply: applied and reported applied; lost request: reported not applied, late arrival fenced, retry applied once; notes %d, events %d", len(got.Notes), len(h))
}

// mustDeal reads the deal; a read right after a cut may meet a pooled
// connection the cut broke, so it is tried again (reads are safe to retry).
func mustDeal(t *testing.T, s *Store, id string) *coach.Deal {
	t.Helper()
	var err error
	for range 3 {
		var d *coach.Deal
		if d, err = s.GetDeal(context.Background(), "T", id); err == nil {
			return d
		}
	}
	t.Fatal(err)
	return nil
}
