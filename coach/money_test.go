package coach_test

import (
	"testing"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// A number field of a form takes an amount written as a deal value is.
func TestFormNumberTakesAmounts(t *testing.T) {
	f := playbook.Field{Key: "list_price", Type: "number"}
	for in, want := range map[string]string{"1.2m": "1200000", "120万": "1200000", "1,200,000": "1200000", "3.5": "3.5", "1.35亿": "135000000"} {
		t.Run(in, func(t *testing.T) {
			got, err := coach.NormalizeFormValue(f, in)
			if err != nil || got != want {
				t.Fatalf("%q → %q, %v; want %q", in, got, err, want)
			}
		})
	}
	if _, err := coach.NormalizeFormValue(f, "lots"); err == nil {
		t.Fatal("lots accepted as a number")
	}
}

func TestFieldNamed(t *testing.T) {
	f := playbook.Field{Key: "size", Name: playbook.Text{ZH: "规模（地方、区域）", EN: "Size (local, regional)"}}
	for key, want := range map[string]bool{"size": true, "规模": true, "规模（地方、区域）": true, "Size": true, "SIZE (local, regional)": true, "规": false, "": false} {
		if got := coach.FieldNamed(f, key); got != want {
			t.Errorf("FieldNamed(%q) = %v, want %v", key, got, want)
		}
	}
}
