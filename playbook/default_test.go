package playbook

import "testing"

func TestDefaultLoads(t *testing.T) {
	p := Default()
	if got := len(p.Stages); got != 8 {
		t.Fatalf("stages = %d, want 8", got)
	}
	f, _ := p.Tool("s2.t7")
	if f == nil || len(f.Fields) < 3 || f.Fields[2].Key != "l1_company" || len(f.Fields[2].Choices) != 3 {
		t.Fatalf("merge keys not applied in s2.t7: %+v", f)
	}
}
