package playbook

import (
	"fmt"
	"testing"
)

// TestDefaultEvidence: every checklist item, role, attitude and buying
// stage of the default playbook has evidence phrases in both languages.
func TestDefaultEvidence(t *testing.T) {
	p := Default()
	has := func(list []Phrases, id string) bool {
		for _, ph := range list {
			if ph.ID == id {
				return len(ph.ZH) > 0 && len(ph.EN) > 0
			}
		}
		return false
	}
	for _, s := range p.Stages {
		for _, id := range s.ItemIDs() {
			if !has(p.Evidence.Items, id) {
				t.Errorf("item %s has no evidence phrases", id)
			}
		}
		if !has(p.Evidence.BuyerStages, fmt.Sprintf("c%d", s.Number)) {
			t.Errorf("buying stage %d has no evidence phrases", s.Number)
		}
	}
	for _, r := range EvidenceRoles {
		if !has(p.Evidence.Roles, r) {
			t.Errorf("role %s has no evidence phrases", r)
		}
	}
	for _, a := range EvidenceAttitudes {
		if !has(p.Evidence.Attitudes, a) {
			t.Errorf("attitude %s has no evidence phrases", a)
		}
	}
	if ph, ok := p.ItemEvidence("s4.m1"); !ok || len(ph.In(ZH)) == 0 || len(ph.In(EN)) == 0 {
		t.Errorf("ItemEvidence(s4.m1) = %v, %v", ph, ok)
	}
}
