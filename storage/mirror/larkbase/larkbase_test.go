package larkbase_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/bolt"
	"github.com/stagecoach/stagecoach/storage/mirror/larkbase"
	"github.com/stagecoach/stagecoach/storage/mirror/larkbase/larkbasetest"
)

const (
	app = "bascnTestApp1"
	tbl = "tblTest1"
)

var appSeq atomic.Int64

// client returns a Lark client for the fake. Each test gets its own app id:
// the SDK caches tenant tokens process-wide per app.
func client(fake *larkbasetest.Server) *lark.Client {
	return lark.NewClient(fmt.Sprintf("cli_test_%d", appSeq.Add(1)), "secret",
		lark.WithOpenBaseUrl(fake.URL), lark.WithReqTimeout(5*time.Second), lark.WithLogLevel(larkcore.LogLevelError))
}

// env is a service over bolt, a fake Base and a mirror with the Base
// target; team T1 has admin "boss" and rep "ann".
type env struct {
	t      testing.TB
	ctx    context.Context
	fake   *larkbasetest.Server
	store  coach.Store
	svc    *coach.Service
	team   *coach.Team
	mirror *coach.Mirror
	target *larkbase.Target
	now    time.Time
	mu     sync.Mutex
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

func newEnv(tb testing.TB, cfg larkbase.Config, refs func(coach.Store) larkbase.Refs) *env {
	tb.Helper()
	fake := larkbasetest.New()
	tb.Cleanup(fake.Close)
	fake.AddTable(app, tbl, "文本")
	st, err := bolt.Open(filepath.Join(tb.TempDir(), "t.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	e := &env{t: tb, ctx: context.Background(), fake: fake, store: st, now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	e.svc = coach.NewService(st, playbook.Default(), e.clock, nil)
	e.team = &coach.Team{ID: "T1", Lang: "zh", Platform: "console", Members: map[string]*coach.Member{
		"boss": {ID: "boss", Role: coach.RoleAdmin}, "ann": {ID: "ann", Name: "Ann", Role: coach.RoleRep}}}
	if err := st.PutTeam(e.ctx, e.team); err != nil {
		tb.Fatal(err)
	}
	if cfg.AppToken == "" {
		cfg.AppToken, cfg.TableID = app, tbl
	}
	if cfg.MinInterval == 0 {
		cfg.MinInterval = -1 // no spacing in tests
	}
	var r larkbase.Refs = st
	if refs != nil {
		r = refs(st)
	}
	e.target = larkbase.New(client(fake), r, cfg, nil)
	e.mirror = coach.NewMirror(st, playbook.Default(), []coach.MirrorTarget{e.target}, e.clock, slog.New(slog.DiscardHandler))
	e.mirror.TeamRefresh = 0
	return e
}

func (e *env) deal(name string) *coach.Deal {
	e.t.Helper()
	d, err := e.svc.CreateDeal(e.ctx, coach.Actor{Team: "T1", User: "ann"}, e.team, coach.NewDeal{Name: name, Value: 1000, CloseDate: "2026-12-24"})
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func (e *env) tick(id string, items ...string) {
	e.t.Helper()
	if _, err := e.svc.Tick(e.ctx, coach.Actor{Team: "T1", User: "ann"}, e.team, id, items, nil); err != nil {
		e.t.Fatal(err)
	}
}

// settle drains until the outbox is empty, advancing the clock past
// backoffs.
func (e *env) settle() {
	e.t.Helper()
	for range 100 {
		e.mirror.DrainAll(e.ctx)
		st, err := e.store.OutboxStats(e.ctx, "T1", larkbase.Name)
		if err == nil && st.Depth == 0 {
			return
		}
		e.advance(10 * time.Minute)
	}
	e.t.Fatal("outbox never drained")
}

// rows returns the table's rows by deal id, failing on duplicates.
func (e *env) rows() map[string]map[string]any {
	e.t.Helper()
	out := map[string]map[string]any{}
	for id, rs := range e.fake.RowsBy(app, tbl, "商机编号") {
		if len(rs) != 1 {
			e.t.Fatalf("deal %s has %d rows", id, len(rs))
		}
		out[id] = rs[0]
	}
	return out
}

var m1 = func() []string {
	var ids []string
	for _, it := range playbook.Default().Stages[0].Milestone {
		ids = append(ids, it.ID)
	}
	return ids
}()

func TestFieldsCreatedOnce(t *testing.T) {
	e := newEnv(t, larkbase.Config{}, nil)
	e.deal("Acme")
	e.settle()
	snap := e.fake.Snapshot(app, tbl)
	if len(snap.Fields) != 1+len(larkbase.Fields) {
		t.Fatalf("table has %d columns, want %d", len(snap.Fields), 1+len(larkbase.Fields))
	}
	types := map[string]int{}
	for _, f := range snap.Fields {
		types[f.Name] = f.Type
	}
	for name, typ := range map[string]int{"商机编号": 1, "赢率": 2, "预计成交日期": 5, "状态": 3, "风险标记": 4, "金额": 2} {
		if types[name] != typ {
			t.Errorf("column %s has type %d, want %d", name, types[name], typ)
		}
	}
	e.deal("Beta")
	e.settle()
	if n := e.fake.Calls("fields"); n != 1 {
		t.Fatalf("fields listed %d times, want once", n)
	}
	if n := e.fake.Calls("create_field"); n != len(larkbase.Fields) {
		t.Fatalf("%d columns created, want %d", n, len(larkbase.Fields))
	}
}

func TestExistingEnglishColumnsAreKept(t *testing.T) {
	e := newEnv(t, larkbase.Config{}, nil)
	e.fake.AddTable(app, tbl, "Deal ID", "Deal name", "Status")
	e.deal("Acme")
	e.settle()
	snap := e.fake.Snapshot(app, tbl)
	names := map[string]bool{}
	for _, f := range snap.Fields {
		names[f.Name] = true
	}
	if !names["Owner"] || names["负责人"] || len(snap.Fields) != len(larkbase.Fields) {
		t.Fatalf("columns %v: want the table's language (English) for the new ones", names)
	}
	for _, r := range snap.Records {
		if r["Status"] != "Open" || r["Deal ID"] != "D-1" {
			t.Fatalf("row %v", r)
		}
	}
}

// TestOneRowPerDeal: a deal created and ticked is one row, updated in
// place, with the computed values.
func TestOneRowPerDeal(t *testing.T) {
	e := newEnv(t, larkbase.Config{}, nil)
	d := e.deal("Acme")
	e.settle()
	e.tick(d.ID, m1...)
	e.settle()
	rows := e.rows()
	if len(rows) != 1 {
		t.Fatalf("%d rows, want 1", len(rows))
	}
	r := rows["D-1"]
	wp := playbook.Default().Stages[0].WinProbability
	if r["商机名称"] != "Acme" || r["已达阶段"] != float64(1) || r["赢率"] != float64(wp)/100 || r["加权金额"] != float64(1000*wp/100) {
		t.Fatalf("row %v", r)
	}
	if r["负责人"] != "Ann" || r["状态"] != "进行中" || r["同步判断"] != "未知" || r["预计成交日期"] == nil {
		t.Fatalf("row %v", r)
	}
	if e.fake.Calls("batch_create") != 1 || e.fake.Calls("batch_update") != 1 {
		t.Fatalf("creates %d updates %d, want 1 and 1", e.fake.Calls("batch_create"), e.fake.Calls("batch_update"))
	}
}

// TestInjectedFailures: write conflicts, rate limits and 5xx are retried;
// every deal ends as exactly one row with its latest state.
func TestInjectedFailures(t *testing.T) {
	tests := []struct {
		name  string
		fault larkbasetest.Fault
	}{
		{"write conflict", larkbasetest.Fault{Op: "", Code: 1254291, Times: 5}},
		{"rate limit 429", larkbasetest.Fault{Op: "", Code: 99991400, Status: http.StatusTooManyRequests, Times: 5}},
		{"base too many requests", larkbasetest.Fault{Op: "batch_update", Code: 1254290, Times: 5}},
		{"5xx", larkbasetest.Fault{Op: "", Code: 1255001, Status: http.StatusInternalServerError, Times: 5}},
		{"gateway timeout on create", larkbasetest.Fault{Op: "batch_create", Code: 1255040, Status: http.StatusGatewayTimeout, Times: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, larkbase.Config{Retries: 1}, nil)
			e.settle()
			e.fake.Inject(tt.fault)
			a, b := e.deal("A"), e.deal("B")
			e.tick(a.ID, m1...)
			e.settle()
			e.tick(b.ID, m1[0])
			e.settle()
			rows := e.rows()
			if len(rows) != 2 || rows["D-1"]["已达阶段"] != float64(1) || rows["D-2"]["商机名称"] != "B" {
				t.Fatalf("rows %v", rows)
			}
		})
	}
}

// failingRefs fails the first PutMirrorRefs that stores record ids: the
// process "crashed" after Base created the records.
type failingRefs struct {
	coach.Store
	failed atomic.Bool
}

func (f *failingRefs) PutMirrorRefs(ctx context.Context, team, scope string, refs map[string]string) error {
	if _, storingIDs := refs["D-1"]; storingIDs && f.failed.CompareAndSwap(false, true) {
		return errors.New("store down (test)")
	}
	return f.Store.PutMirrorRefs(ctx, team, scope, refs)
}

func TestRetriedCreateMakesNoSecondRecord(t *testing.T) {
	e := newEnv(t, larkbase.Config{}, func(st coach.Store) larkbase.Refs { return &failingRefs{Store: st} })
	e.settle()
	e.deal("A")
	e.deal("B")
	e.settle()
	if n := e.fake.Calls("batch_create"); n != 2 {
		t.Fatalf("batch_create called %d times, want 2 (the retry)", n)
	}
	if rows := e.rows(); len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	if n := len(e.fake.Snapshot(app, tbl).Records); n != 2 {
		t.Fatalf("%d records, want 2", n)
	}
}

func TestPermissionDenied(t *testing.T) {
	e := newEnv(t, larkbase.Config{}, nil)
	rec := &notices{}
	e.mirror.Notifier = rec
	e.fake.Deny(app, true)
	e.deal("A")
	for range 3 {
		e.mirror.DrainAll(e.ctx)
		e.advance(10 * time.Minute)
	}
	if len(rec.got) != 1 || rec.got[0].Kind != coach.MirrorPermission || rec.got[0].To != "boss" {
		t.Fatalf("notices %+v", rec.got)
	}
	st, err := e.svc.MirrorStatus(e.ctx, coach.Actor{Team: "T1", User: "boss"})
	if err != nil || len(st) != 1 || st[0].ErrorKind != coach.MirrorPermission || st[0].Depth == 0 {
		t.Fatalf("status %+v %v", st, err)
	}
	e.fake.Deny(app, false)
	e.settle()
	if len(e.rows()) != 1 {
		t.Fatal("the row did not arrive after access was granted")
	}
}

type notices struct{ got []coach.MirrorNotice }

func (n *notices) MirrorNotice(ctx context.Context, x coach.MirrorNotice) error {
	n.got = append(n.got, x)
	return nil
}

func TestDeletedRowIsRecreated(t *testing.T) {
	e := newEnv(t, larkbase.Config{}, nil)
	d := e.deal("A")
	e.settle()
	for id := range e.fake.Snapshot(app, tbl).Records {
		e.fake.DeleteRecord(app, tbl, id)
	}
	e.tick(d.ID, m1...)
	e.settle()
	rows := e.rows()
	if len(rows) != 1 || rows["D-1"]["已达阶段"] != float64(1) {
		t.Fatalf("rows %v", rows)
	}
}

// TestWritesSerialised: two teams sharing the default table drained
// concurrently by one target never overlap (the fake refuses overlapping
// writes like Base does).
func TestWritesSerialised(t *testing.T) {
	e := newEnv(t, larkbase.Config{}, nil)
	e.fake.SetWriteDelay(2 * time.Millisecond)
	t2 := &coach.Team{ID: "T2", Members: map[string]*coach.Member{"bob": {ID: "bob", Role: coach.RoleAdmin}}}
	if err := e.store.PutTeam(e.ctx, t2); err != nil {
		t.Fatal(err)
	}
	e.mirror.DrainAll(e.ctx)
	for i := range 20 {
		e.deal(fmt.Sprint("A", i))
		if _, err := e.svc.CreateDeal(e.ctx, coach.Actor{Team: "T2", User: "bob"}, t2, coach.NewDeal{Name: fmt.Sprint("B", i)}); err != nil {
			t.Fatal(err)
		}
	}
	m2 := coach.NewMirror(e.store, playbook.Default(), []coach.MirrorTarget{e.target}, e.clock, nil)
	m2.TeamRefresh = 0
	var wg sync.WaitGroup
	for _, m := range []*coach.Mirror{e.mirror, m2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				m.DrainAll(e.ctx)
			}
		}()
	}
	wg.Wait()
	if c := e.fake.Conflicts(); c != 0 {
		t.Fatalf("%d overlapping writes", c)
	}
	if n := len(e.fake.Snapshot(app, tbl).Records); n != 40 {
		t.Fatalf("%d records, want 40", n)
	}
}

// TestReplicasOnOneTable: two replicas (separate targets, so nothing is
// serialised between them) drain one outbox; conflicts are retried and
// nothing is duplicated.
func TestReplicasOnOneTable(t *testing.T) {
	e := newEnv(t, larkbase.Config{BatchSize: 5}, nil)
	e.fake.SetWriteDelay(time.Millisecond)
	e.settle()
	other := larkbase.New(client(e.fake), e.store, larkbase.Config{AppToken: app, TableID: tbl, BatchSize: 5, MinInterval: -1}, nil)
	m2 := coach.NewMirror(e.store, playbook.Default(), []coach.MirrorTarget{other}, e.clock, nil)
	m2.TeamRefresh, m2.Batch, e.mirror.Batch = 0, 5, 5
	for i := range 30 {
		e.deal(fmt.Sprint("D", i))
	}
	var wg sync.WaitGroup
	for _, m := range []*coach.Mirror{e.mirror, m2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 40 {
				m.DrainAll(e.ctx)
				e.advance(time.Minute)
			}
		}()
	}
	wg.Wait()
	e.settle()
	if rows := e.rows(); len(rows) != 30 {
		t.Fatalf("%d rows, want 30", len(rows))
	}
}
