package coach_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/storage/bolt"
)

func TestRecordApplyDiscard(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	e.setTeam(func(t *coach.Team) { t.Timezone = "Asia/Shanghai" })
	d := e.newDeal("ann", "Acme")
	ann := e.actor("ann")
	res, err := e.svc.RecordNote(ctx, ann, e.team, "Acme", "Called Acme. Spoke with Li Wei, she's the project handler. She was quite interested and agreed to meet on the 8th at 14:00 at their Shanghai HQ.")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.After.Notes) != 1 {
		t.Fatalf("note not recorded: %+v", res.After.Notes)
	}
	ps := res.Reading.Proposals
	if len(ps) < 4 {
		t.Fatalf("proposals: %+v", ps)
	}
	for i, p := range ps {
		if p.N != i+1 || p.Source != coach.SourceRules || p.Evidence == "" {
			t.Errorf("proposal %d: %+v", i, p)
		}
	}
	// nothing written yet
	got, _ := e.store.GetDeal(ctx, "T1", d.ID)
	if len(got.Checked) != 0 || len(got.Stakeholders) != 0 || len(got.Meetings) != 0 {
		t.Fatalf("proposals written before apply: %+v", got)
	}
	// bob cannot apply ann's proposals: he has none
	if _, err := e.svc.ApplyProposals(ctx, e.actor("bob"), e.team, nil); !isCode(err, coach.CodeNoProposals) {
		t.Errorf("bob apply: %v", err)
	}
	if _, err := e.svc.ApplyProposals(ctx, ann, e.team, []int{99}); !isCode(err, coach.CodeUnknownProposal) {
		t.Errorf("apply 99: %v", err)
	}
	ar, err := e.svc.ApplyProposals(ctx, ann, e.team, []int{1})
	if err != nil || len(ar.Applied) != 1 || ar.Applied[0].Err != nil {
		t.Fatalf("apply 1: %+v %v", ar, err)
	}
	ar, err = e.svc.ApplyProposals(ctx, ann, e.team, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ar.Applied) != len(ps)-1 {
		t.Errorf("apply rest: %d applied, want %d", len(ar.Applied), len(ps)-1)
	}
	for _, a := range ar.Applied {
		if a.Err != nil {
			t.Errorf("applied %+v: %v", a.Proposal, a.Err)
		}
	}
	ex, err := e.svc.Export(ctx, ann, e.team)
	if err != nil || len(ex) != 1 {
		t.Fatal(ex, err)
	}
	x := ex[0]
	if len(x.Contacts) != 1 || x.Contacts[0].Name != "Li Wei" || x.Contacts[0].Role != coach.RoleHandler {
		t.Errorf("contacts: %+v", x.Contacts)
	}
	if len(x.Meetings) != 1 || x.Meetings[0].At != "2026-12-08T14:00:00+08:00" || x.Meetings[0].Status != coach.MeetingBooked {
		t.Errorf("meetings: %+v", x.Meetings)
	}
	if len(x.Checked) < 2 || len(x.Notes) != 1 {
		t.Errorf("checked %v notes %v", x.Checked, x.Notes)
	}
	// history has the same events as typed commands
	_, evs, _ := e.svc.History(ctx, ann, e.team, d.ID, 0)
	kinds := map[string]bool{}
	for _, ev := range evs {
		kinds[ev.Kind] = true
	}
	for _, k := range []string{"note", "check", "contact", "meet"} {
		if !kinds[k] {
			t.Errorf("no %q event in %v", k, kinds)
		}
	}
	// applying again applies nothing
	ar, err = e.svc.ApplyProposals(ctx, ann, e.team, nil)
	if err != nil || len(ar.Applied) != 0 || len(ar.Already) != len(ps) {
		t.Errorf("second apply: %+v %v", ar, err)
	}
	// discard of a new note's proposals
	if _, err := e.svc.RecordNote(ctx, ann, e.team, d.ID, "Contract value around 1.35 million."); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.DiscardProposals(ctx, ann); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ApplyProposals(ctx, ann, e.team, nil); !isCode(err, coach.CodeNoProposals) {
		t.Errorf("apply after discard: %v", err)
	}
	got, _ = e.store.GetDeal(ctx, "T1", d.ID)
	if got.Value != 0 {
		t.Errorf("discarded value written: %d", got.Value)
	}
}

// TestApplyDoubleClick: concurrent applies of the same note apply each
// proposal once.
func TestApplyDoubleClick(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	e.newDeal("ann", "Acme")
	ann := e.actor("ann")
	if _, err := e.svc.RecordNote(ctx, ann, e.team, "Acme", "Met Tom Baker (CFO) and Sarah Lin. Booked a meeting with them for December 8 at 10am at their office."); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	applied := 0
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ar, err := e.svc.ApplyProposals(ctx, ann, e.team, nil)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			applied += len(ar.Applied)
			mu.Unlock()
		}()
	}
	wg.Wait()
	d, _ := e.store.GetDeal(ctx, "T1", "D-1")
	r, _ := e.svc.Proposals(ctx, ann)
	if applied != len(r.Proposals) || len(d.Meetings) != 1 || len(d.Stakeholders) != 2 {
		t.Errorf("applied %d of %d; meetings %d contacts %d", applied, len(r.Proposals), len(d.Meetings), len(d.Stakeholders))
	}
}

// TestApplyStoreDown: a store failure applies nothing and can be retried.
func TestApplyStoreDown(t *testing.T) {
	ctx := context.Background()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "f.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fs := &bottest.FlakyStore{Store: st}
	e := newEnv(t, fs)
	e.newDeal("ann", "Acme")
	ann := e.actor("ann")
	if _, err := e.svc.RecordNote(ctx, ann, e.team, "Acme", "Contract value around 1.35 million."); err != nil {
		t.Fatal(err)
	}
	fs.Down.Store(true)
	if _, err := e.svc.ApplyProposals(ctx, ann, e.team, nil); err == nil || !errors.Is(err, bottest.ErrDown) {
		t.Fatalf("apply while down: %v", err)
	}
	fs.Down.Store(false)
	ar, err := e.svc.ApplyProposals(ctx, ann, e.team, nil)
	if err != nil || len(ar.Applied) != 1 || ar.Applied[0].Err != nil {
		t.Fatalf("retry: %+v %v", ar, err)
	}
	d, _ := e.store.GetDeal(ctx, "T1", "D-1")
	if d.Value != 1350000 {
		t.Errorf("value %d", d.Value)
	}
}

// TestLLMOff: an admin turns the model off for the team; a rep may not.
func TestLLMOff(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	if _, err := e.svc.SetTeamLLM(ctx, e.actor("ann"), false); !isCode(err, coach.CodeForbidden) {
		t.Errorf("rep: %v", err)
	}
	tm, err := e.svc.SetTeamLLM(ctx, e.actor("boss"), false)
	if err != nil || !tm.LLMOff {
		t.Fatalf("%+v %v", tm, err)
	}
	calls := 0
	e.svc.Model = readerFunc(func(ctx context.Context, in coach.ReadInput) (coach.Reading, error) {
		calls++
		return coach.Reading{}, nil
	})
	e.svc.Read(ctx, tm, &coach.Deal{}, "", "hello")
	if calls != 0 {
		t.Errorf("model asked %d times with LLM off", calls)
	}
	tm.LLMOff = false
	e.svc.Read(ctx, tm, &coach.Deal{}, "", "hello")
	if calls != 1 {
		t.Errorf("model asked %d times with LLM on", calls)
	}
}

type readerFunc func(ctx context.Context, in coach.ReadInput) (coach.Reading, error)

func (f readerFunc) Read(ctx context.Context, in coach.ReadInput) (coach.Reading, error) {
	return f(ctx, in)
}

// TestModelMerge: the model's valid proposals are added after the rules'
// ones, marked; invalid, duplicate and unevidenced ones are dropped; a
// slow or failing model leaves the rules' proposals with a notice.
func TestModelMerge(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	now := e.clock.Now()
	note := "Gave the demo to the purchasing group. Sarah Lin is very supportive. Budget approved."
	d := &coach.Deal{ID: "D-1", Checked: map[string]coach.Check{}}
	tests := []struct {
		name   string
		model  []coach.Proposal
		err    error
		want   []string // kinds/items of the model's kept proposals
		notice string
	}{
		{name: "valid", model: []coach.Proposal{
			{Kind: coach.ProposeCheck, Item: "s4.m1", Evidence: "Gave the demo to the purchasing group."}, // duplicate of the rules
			{Kind: coach.ProposeCheck, Item: "s4.s9", Evidence: "Gave the demo"},                          // unknown id
			{Kind: coach.ProposeCheck, Item: "s4.s1", Evidence: "they loved it"},                          // not in the note
			{Kind: coach.ProposeInfo, Field: "s2.i2.scale_budget", Text: "approved", Evidence: "Budget approved."},
			{Kind: coach.ProposeInfo, Field: "s2.i2.nope", Text: "x", Evidence: "Budget approved."},
			{Kind: coach.ProposeBookMeeting, At: now.Add(-time.Hour), Evidence: "Gave the demo"}, // in the past
			{Kind: coach.ProposeAddContact, Name: "Sarah Lin", Role: "boss", Evidence: "Sarah Lin is very supportive."},
			{Kind: coach.ProposeValue, Value: -5, Evidence: "Budget approved."},
			{Kind: coach.ProposeBuyerStage, Stage: 3, Evidence: "Budget approved."},
		}, want: []string{"info", "buyer_stage"}},
		{name: "failing", err: errors.New("boom"), notice: coach.NoticeModelFailed},
		{name: "slow", err: context.DeadlineExceeded, notice: coach.NoticeModelTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.svc.Model = readerFunc(func(ctx context.Context, in coach.ReadInput) (coach.Reading, error) {
				return coach.Reading{Proposals: tt.model}, tt.err
			})
			rd := e.svc.Read(ctx, e.team, d, "", note)
			var kept []string
			rules := 0
			for i, p := range rd.Proposals {
				if p.N != i+1 {
					t.Errorf("numbering: %+v", rd.Proposals)
				}
				if p.Source == coach.SourceModel {
					kept = append(kept, p.Kind)
				} else {
					rules++
				}
			}
			if rules == 0 {
				t.Errorf("rules proposals lost: %+v", rd.Proposals)
			}
			if len(kept) != len(tt.want) {
				t.Fatalf("kept %v, want %v", kept, tt.want)
			}
			for i := range kept {
				if kept[i] != tt.want[i] {
					t.Errorf("kept %v, want %v", kept, tt.want)
				}
			}
			if rd.Notice != tt.notice {
				t.Errorf("notice %q, want %q", rd.Notice, tt.notice)
			}
		})
	}
}
