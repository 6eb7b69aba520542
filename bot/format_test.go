package bot

import (
	"testing"

	"github.com/stagecoach/stagecoach/playbook"
)

func TestFormatMoneyIn(t *testing.T) {
	for _, tc := range []struct {
		lang playbook.Lang
		v    int64
		cur  string
		want string
	}{
		{playbook.ZH, 1200000, "CNY", "120万"},
		{playbook.ZH, 135000000, "", "1.35亿"},
		{playbook.ZH, 12345, "", "1.2345万"},
		{playbook.ZH, 135000001, "", "13500.0001万"},
		{playbook.ZH, 8000, "", "8000"},
		{playbook.ZH, 0, "", "0"},
		{playbook.ZH, 500000, "USD", "50万 USD"},
		{playbook.ZH, 200000000, "", "2亿"},
		{playbook.EN, 1200000, "CNY", "1,200,000 CNY"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := FormatMoneyIn(tc.lang, tc.v, tc.cur); got != tc.want {
				t.Fatalf("FormatMoneyIn(%s, %d, %q) = %q, want %q", tc.lang, tc.v, tc.cur, got, tc.want)
			}
		})
	}
}

// FuzzFormatMoneyIn: whatever is printed parses back to the same amount.
func FuzzFormatMoneyIn(f *testing.F) {
	for _, v := range []int64{0, 1, 9999, 10000, 12345, 1200000, 135000000, 135000001, 1e15} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v int64) {
		if v < 0 || v > 1e15 {
			return
		}
		for _, lang := range []playbook.Lang{playbook.ZH, playbook.EN} {
			s := FormatMoneyIn(lang, v, "")
			got, _, err := ParseMoney(s)
			if err != nil || got != v {
				t.Fatalf("%s: %d printed %q parses to %d (%v)", lang, v, s, got, err)
			}
		}
	})
}
