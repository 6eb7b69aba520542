package coach

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// when is a date and/or time found in a note, resolved in the team's
// timezone against now.
type when struct {
	start, end int       // byte offsets in the normalised clause
	day        time.Time // midnight of the day, in loc; zero when no day
	hasTime    bool
	hour, min  int
	// period: the text names the end of a period ("end of March", 月底)
	// rather than a day.
	period bool
	// bare: a weekday without "next"/"this"/下/这 ("Friday", 周五), read
	// as the coming one; a note in the past tense means the last one.
	bare bool
	// alone: a time said without a day, read as today
	alone bool
}

// at returns the moment: the day at the time (or 09:00 without one).
func (w when) at() time.Time {
	h, m := 9, 0
	if w.hasTime {
		h, m = w.hour, w.min
	}
	return time.Date(w.day.Year(), w.day.Month(), w.day.Day(), h, m, 0, 0, w.day.Location())
}

var zhDigits = map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9, '十': 10}

// zhNumber parses 1..99 written in digits or Chinese numerals (八, 十二, 二十三).
func zhNumber(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, n >= 0 && n < 100
	}
	rs := []rune(s)
	if len(rs) == 0 || len(rs) > 3 {
		return 0, false
	}
	n, tens := 0, false
	for i, r := range rs {
		d, ok := zhDigits[r]
		if !ok {
			return 0, false
		}
		if d == 10 {
			if tens || i > 1 {
				return 0, false
			}
			tens = true
			if i == 0 {
				n = 10
			} else {
				n *= 10
			}
			continue
		}
		if tens {
			n += d
		} else {
			if i > 0 {
				return 0, false
			}
			n = d
		}
	}
	return n, true
}

const zhNum = `[0-9]{1,2}|[零〇一二两三四五六七八九十]{1,3}`

var (
	reZhFull     = regexp.MustCompile(`(20[0-9]{2})\s*年\s*(` + zhNum + `)\s*月\s*(` + zhNum + `)\s*[日号]`)
	reZhMD       = regexp.MustCompile(`(` + zhNum + `)\s*月\s*(` + zhNum + `)\s*[日号]`)
	reZhMonthEnd = regexp.MustCompile(`(?:(下个?月|本月|这个?月)|(` + zhNum + `)\s*月)\s*(底|末|中旬|初|上旬|下旬)`)
	reZhBareEnd  = regexp.MustCompile(`月(?:底|末)`)
	reZhD        = regexp.MustCompile(`(` + zhNum + `)\s*[日号]`)
	reZhWeek     = regexp.MustCompile(`(下下|下个?|这个?|本)?\s*(?:周|星期|礼拜)([一二三四五六日天1-7])`)
	reZhRel      = regexp.MustCompile(`大后天|后天|明天|今天|昨天|前天|明早|明晚|今晚|今早`)
	reZhAfter    = regexp.MustCompile(`(` + zhNum + `|半)\s*(天|周|个星期|星期|个月)\s*(?:以?后|之后)`)
	reZhYearEnd  = regexp.MustCompile(`年底|年末|今年底`)
	reZhQuarter  = regexp.MustCompile(`(?:(明年)|今年)?\s*(?:第?([一二三四1-4])季度|q([1-4]))\s*(?:末|底)?`)
	reZhTime     = regexp.MustCompile(`(上午|早上|早晨|中午|下午|傍晚|晚上|晚)?\s*(` + zhNum + `)\s*(?:点|时|:|：)\s*(半|一刻|三刻|[0-5]?[0-9]\s*分?)?`)
	reISO        = regexp.MustCompile(`\b(20[0-9]{2})-([01]?[0-9])-([0-3]?[0-9])\b`)
	reEnMD       = regexp.MustCompile(`\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+([0-3]?[0-9])(?:st|nd|rd|th)?\b(?:,?\s*(20[0-9]{2}))?`)
	reEnDM       = regexp.MustCompile(`\b([0-3]?[0-9])(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b(?:,?\s*(20[0-9]{2}))?`)
	reEnThe      = regexp.MustCompile(`\bthe\s+([0-3]?[0-9])(?:st|nd|rd|th)\b`)
	reEnRel      = regexp.MustCompile(`\b(the day after tomorrow|tomorrow|today|tonight|yesterday|this morning|this afternoon|this evening)\b`)
	reEnWeek     = regexp.MustCompile(`\b(next|this|on|coming)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri)\b`)
	reEnIn       = regexp.MustCompile(`\bin\s+(a|an|one|two|three|four|five|six|seven|eight|nine|ten|[0-9]{1,2})\s+(day|days|week|weeks|month|months)\b`)
	reEnEnd      = regexp.MustCompile(`\b(?:the\s+)?end\s+of\s+(?:the\s+)?(next month|this month|month|year|this year|next year|q([1-4])|(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*)\b`)
	reEnTime     = regexp.MustCompile(`\b(?:at\s+)?([01]?[0-9]|2[0-3])(?::([0-5][0-9])|\.([0-5][0-9]))?\s*(am|pm|a\.m\.|p\.m\.)|\b(?:at\s+)?([01]?[0-9]|2[0-3]):([0-5][0-9])\b|\bat\s+([01]?[0-9]|2[0-3])\b|\b(noon|midday)\b`)
)

var enMonths = map[string]time.Month{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}

var enWeekdays = map[string]time.Weekday{"sunday": 0, "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6,
	"mon": 1, "tue": 2, "tues": 2, "wed": 3, "thu": 4, "thur": 4, "thurs": 4, "fri": 5}

var enSmall = map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// dayOf builds a date, nil when impossible (Feb 30).
func dayOf(y int, m time.Month, d int, loc *time.Location) (time.Time, bool) {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// nearYear picks the year for a month and day without one: this year,
// or next year when the date is more than about two months past (a rep
// in December writing "1月8日" means next January).
func nearYear(now time.Time, m time.Month, d int) (time.Time, bool) {
	t, ok := dayOf(now.Year(), m, d, now.Location())
	if !ok {
		return t, false
	}
	if t.Before(midnight(now).AddDate(0, -2, 0)) {
		return dayOf(now.Year()+1, m, d, now.Location())
	}
	return t, true
}

func lastDay(y int, m time.Month, loc *time.Location) time.Time {
	return time.Date(y, m+1, 1, 0, 0, 0, 0, loc).AddDate(0, 0, -1)
}

// mondayOf returns the Monday of t's week (weeks start on Monday).
func mondayOf(t time.Time) time.Time {
	wd := (int(t.Weekday()) + 6) % 7
	return midnight(t).AddDate(0, 0, -wd)
}

// findWhens finds dates and times in a normalised clause and joins each
// time to the date before or after it.
func findWhens(t string, now time.Time) []when {
	hasDigit, hasCJK, hasLetter := false, false, false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= '0' && c <= '9':
			hasDigit = true
		case c >= 'a' && c <= 'z':
			hasLetter = true
		case c >= 0x80:
			hasCJK = true
		}
	}
	zhDate := hasCJK && strings.ContainsAny(t, "年月日号周期拜天后底末季度今明昨前")
	zhTime := hasCJK && strings.ContainsAny(t, "点时:：")
	if !hasDigit && !zhDate && !zhTime && !(hasLetter && enDateWord(t)) {
		return nil
	}
	return findWhensIn(t, now, hasDigit, hasLetter, zhDate, zhTime)
}

// cheap checks before the regexps that need these words
var (
	relWords = []string{"today", "tonight", "tomorrow", "yesterday", "this morning", "this afternoon", "this evening"}
	ampm     = []string{"am", "pm", "a.m", "p.m"}
)

var monthStems = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
var weekStems = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

func hasQuarter(t string) bool {
	for i := 0; i+1 < len(t); i++ {
		if t[i] == 'q' && t[i+1] >= '1' && t[i+1] <= '4' {
			return true
		}
	}
	return false
}

// enDateWord reports whether t may hold an English date without digits.
func enDateWord(t string) bool {
	for _, w := range []string{"today", "tonight", "tomorrow", "yesterday", "day", "end of", "week", "month", "this morning", "this afternoon", "this evening", "noon", "midday", "mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}

func findWhensIn(t string, now time.Time, hasDigit, hasLetter, zhDate, zhTime bool) []when {
	now = now.In(now.Location())
	today := midnight(now)
	var days []when
	taken := make([]bool, len(t)+1)
	add := func(s, e int, day time.Time, period bool) {
		for i := s; i < e; i++ {
			if taken[i] {
				return
			}
		}
		for i := s; i < e; i++ {
			taken[i] = true
		}
		days = append(days, when{start: s, end: e, day: day, period: period})
	}
	for _, m := range findAll(zhDate, reZhFull, t) {
		y, _ := strconv.Atoi(t[m[2]:m[3]])
		mo, ok1 := zhNumber(t[m[4]:m[5]])
		d, ok2 := zhNumber(t[m[6]:m[7]])
		if day, ok := dayOf(y, time.Month(mo), d, now.Location()); ok && ok1 && ok2 {
			add(m[0], m[1], day, false)
		}
	}
	for _, m := range findAll(hasDigit && strings.Contains(t, "-"), reISO, t) {
		y, _ := strconv.Atoi(t[m[2]:m[3]])
		mo, _ := strconv.Atoi(t[m[4]:m[5]])
		d, _ := strconv.Atoi(t[m[6]:m[7]])
		if day, ok := dayOf(y, time.Month(mo), d, now.Location()); ok {
			add(m[0], m[1], day, false)
		}
	}
	for _, m := range findAll(zhDate, reZhMonthEnd, t) {
		y, mo := now.Year(), now.Month()
		switch {
		case m[2] >= 0 && strings.HasPrefix(t[m[2]:m[3]], "下"):
			mo++
		case m[4] >= 0:
			n, ok := zhNumber(t[m[4]:m[5]])
			if !ok || n < 1 || n > 12 {
				continue
			}
			mo = time.Month(n)
			if mo < now.Month()-2 {
				y++
			}
		}
		var day time.Time
		switch t[m[6]:m[7]] {
		case "底", "末", "下旬":
			day = lastDay(y, mo, now.Location())
		case "中旬":
			day = time.Date(y, mo, 15, 0, 0, 0, 0, now.Location())
		default:
			day = time.Date(y, mo, 10, 0, 0, 0, 0, now.Location())
		}
		add(m[0], m[1], day, true)
	}
	// "月底" alone: the end of this month
	for _, m := range findAll(zhDate && strings.Contains(t, "月"), reZhBareEnd, t) {
		add(m[0], m[1], lastDay(now.Year(), now.Month(), now.Location()), true)
	}
	for _, m := range findAll(zhDate, reZhMD, t) {
		mo, ok1 := zhNumber(t[m[2]:m[3]])
		d, ok2 := zhNumber(t[m[4]:m[5]])
		if !ok1 || !ok2 {
			continue
		}
		if day, ok := nearYear(now, time.Month(mo), d); ok {
			add(m[0], m[1], day, false)
		}
	}
	for _, m := range findAll(hasLetter && hasDigit && containsAny(t, monthStems), reEnMD, t) {
		mo := enMonths[t[m[2]:m[3]]]
		d, _ := strconv.Atoi(t[m[4]:m[5]])
		var day time.Time
		var ok bool
		if m[6] >= 0 {
			y, _ := strconv.Atoi(t[m[6]:m[7]])
			day, ok = dayOf(y, mo, d, now.Location())
		} else {
			day, ok = nearYear(now, mo, d)
		}
		if ok && !(t[m[2]:m[3]] == "may" && m[4]-m[3] > 1) {
			add(m[0], m[1], day, false)
		}
	}
	for _, m := range findAll(hasLetter && hasDigit && containsAny(t, monthStems), reEnDM, t) {
		d, _ := strconv.Atoi(t[m[2]:m[3]])
		mo := enMonths[t[m[4]:m[5]]]
		var day time.Time
		var ok bool
		if m[6] >= 0 {
			y, _ := strconv.Atoi(t[m[6]:m[7]])
			day, ok = dayOf(y, mo, d, now.Location())
		} else {
			day, ok = nearYear(now, mo, d)
		}
		if ok {
			add(m[0], m[1], day, false)
		}
	}
	// a day of the month alone: this month, or next month once past
	dayOfMonth := func(d int) (time.Time, bool) {
		day, ok := dayOf(today.Year(), today.Month(), d, now.Location())
		if ok && !day.Before(today) {
			return day, true
		}
		return dayOf(today.Year(), today.Month()+1, d, now.Location())
	}
	for _, m := range findAll(zhDate, reZhD, t) {
		d, ok := zhNumber(t[m[2]:m[3]])
		if !ok {
			continue
		}
		// "3号楼", "5号线": a number, not a date
		if m[1] < len(t) && strings.ContainsAny(t[m[1]:min(len(t), m[1]+3)], "楼线院馆门") {
			continue
		}
		if day, ok := dayOfMonth(d); ok {
			add(m[0], m[1], day, false)
		}
	}
	for _, m := range findAll(hasLetter && hasDigit && strings.Contains(t, "the "), reEnThe, t) {
		d, _ := strconv.Atoi(t[m[2]:m[3]])
		if day, ok := dayOfMonth(d); ok {
			add(m[0], m[1], day, false)
		}
	}
	for _, m := range findAll(zhDate, reZhRel, t) {
		off := map[string]int{"今天": 0, "今晚": 0, "今早": 0, "明天": 1, "明早": 1, "明晚": 1, "后天": 2, "大后天": 3, "昨天": -1, "前天": -2}[t[m[0]:m[1]]]
		add(m[0], m[1], today.AddDate(0, 0, off), false)
	}
	for _, m := range findAll(hasLetter && containsAny(t, relWords), reEnRel, t) {
		off := map[string]int{"today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0, "tomorrow": 1, "the day after tomorrow": 2, "yesterday": -1}[t[m[2]:m[3]]]
		add(m[0], m[1], today.AddDate(0, 0, off), false)
	}
	for _, m := range findAll(zhDate, reZhWeek, t) {
		wd := strings.IndexRune("一二三四五六日", []rune(t[m[4]:m[5]])[0])
		c := t[m[4]:m[5]]
		n := 0
		switch {
		case c == "天" || c == "日" || c == "7":
			n = 6
		case c[0] >= '1' && c[0] <= '6':
			n = int(c[0] - '1')
		default:
			n = wd / 3 // byte index of a 3-byte rune
		}
		prefix := ""
		if m[2] >= 0 {
			prefix = t[m[2]:m[3]]
		}
		base := mondayOf(today)
		var day time.Time
		switch {
		case strings.HasPrefix(prefix, "下下"):
			day = base.AddDate(0, 0, 14+n)
		case strings.HasPrefix(prefix, "下"):
			day = base.AddDate(0, 0, 7+n)
		case prefix != "":
			day = base.AddDate(0, 0, n)
		default:
			day = base.AddDate(0, 0, n)
			if day.Before(today) {
				day = day.AddDate(0, 0, 7)
			}
		}
		add(m[0], m[1], day, false)
		if prefix == "" {
			days[len(days)-1].bare = true
		}
	}
	for _, m := range findAll(hasLetter && containsAny(t, weekStems), reEnWeek, t) {
		wd := enWeekdays[t[m[4]:m[5]]]
		n := (int(wd) + 6) % 7
		prefix := ""
		if m[2] >= 0 {
			prefix = t[m[2]:m[3]]
		}
		base := mondayOf(today)
		var day time.Time
		switch prefix {
		case "next":
			day = base.AddDate(0, 0, 7+n)
		case "this":
			day = base.AddDate(0, 0, n)
		default:
			day = base.AddDate(0, 0, n)
			if !day.After(today) {
				day = day.AddDate(0, 0, 7)
			}
		}
		add(m[0], m[1], day, false)
		if prefix == "" || prefix == "on" {
			days[len(days)-1].bare = true
		}
	}
	for _, m := range findAll(zhDate, reZhAfter, t) {
		q := t[m[2]:m[3]]
		n, ok := zhNumber(q)
		if q == "半" {
			n, ok = 0, true
		}
		if !ok {
			continue
		}
		var day time.Time
		switch t[m[4]:m[5]] {
		case "天":
			day = today.AddDate(0, 0, n)
		case "个月":
			if q == "半" {
				day = today.AddDate(0, 0, 15)
			} else {
				day = today.AddDate(0, n, 0)
			}
		default:
			day = today.AddDate(0, 0, 7*n)
		}
		add(m[0], m[1], day, false)
	}
	for _, m := range findAll(hasLetter && strings.Contains(t, "in ") && (strings.Contains(t, "day") || strings.Contains(t, "week") || strings.Contains(t, "month")), reEnIn, t) {
		q := t[m[2]:m[3]]
		n, ok := enSmall[q]
		if !ok {
			n, _ = strconv.Atoi(q)
		}
		var day time.Time
		switch u := t[m[4]:m[5]]; {
		case strings.HasPrefix(u, "day"):
			day = today.AddDate(0, 0, n)
		case strings.HasPrefix(u, "week"):
			day = today.AddDate(0, 0, 7*n)
		default:
			day = today.AddDate(0, n, 0)
		}
		add(m[0], m[1], day, false)
	}
	for _, m := range findAll(hasLetter && strings.Contains(t, "end of"), reEnEnd, t) {
		what := t[m[2]:m[3]]
		y := today.Year()
		var day time.Time
		switch {
		case what == "month" || what == "this month":
			day = lastDay(y, today.Month(), now.Location())
		case what == "next month":
			day = lastDay(y, today.Month()+1, now.Location())
		case what == "year" || what == "this year":
			day = lastDay(y, 12, now.Location())
		case what == "next year":
			day = lastDay(y+1, 12, now.Location())
		case m[4] >= 0:
			q, _ := strconv.Atoi(t[m[4]:m[5]])
			day = quarterEnd(today, q)
		default:
			mo := enMonths[t[m[6]:m[7]]]
			if mo < today.Month()-2 {
				y++
			}
			day = lastDay(y, mo, now.Location())
		}
		add(m[0], m[1], day, true)
	}
	for _, m := range findAll(zhDate, reZhYearEnd, t) {
		add(m[0], m[1], lastDay(today.Year(), 12, now.Location()), true)
	}
	for _, m := range findAll(zhDate && strings.Contains(t, "季度") || hasQuarter(t), reZhQuarter, t) {
		qs := ""
		if m[4] >= 0 {
			qs = t[m[4]:m[5]]
		} else if m[6] >= 0 {
			qs = t[m[6]:m[7]]
		}
		q, ok := zhNumber(qs)
		if !ok || q < 1 || q > 4 {
			continue
		}
		base := today
		if m[2] >= 0 {
			base = time.Date(today.Year()+1, 1, 1, 0, 0, 0, 0, today.Location())
		}
		add(m[0], m[1], quarterEnd(base, q), true)
	}
	// times
	type tm struct {
		start, end, h, m int
	}
	var times []tm
	for _, m := range findAll(zhTime, reZhTime, t) {
		h, ok := zhNumber(t[m[4]:m[5]])
		if !ok || h > 24 {
			continue
		}
		sep := t[m[5]:m[1]]
		if m[2] < 0 && (strings.HasPrefix(strings.TrimSpace(sep), ":") || strings.HasPrefix(strings.TrimSpace(sep), "：")) && (m[6] < 0) {
			continue // "3:" alone
		}
		mins := 0
		if m[6] >= 0 {
			switch x := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(t[m[6]:m[7]]), "分")); x {
			case "半":
				mins = 30
			case "一刻":
				mins = 15
			case "三刻":
				mins = 45
			default:
				mins, _ = strconv.Atoi(x)
			}
		}
		if m[2] >= 0 {
			switch t[m[2]:m[3]] {
			case "下午", "傍晚", "晚上", "晚":
				if h < 12 {
					h += 12
				}
			case "中午":
				if h < 6 {
					h += 12
				}
			}
		}
		// "3点" without a period of day: office hours, 1–7 is afternoon
		if m[2] < 0 && h >= 1 && h <= 7 {
			h += 12
		}
		if h >= 24 || mins > 59 {
			continue
		}
		if m[2] < 0 && m[6] < 0 && t[m[4]:m[5]] == "一" {
			continue // 一点 is "a little" more often than one o'clock
		}
		times = append(times, tm{m[0], m[1], h, mins})
	}
	for _, m := range findAll(hasLetter && (hasDigit && (containsAny(t, ampm) || strings.Contains(t, ":") || strings.Contains(t, "at ")) || strings.Contains(t, "noon") || strings.Contains(t, "midday")), reEnTime, t) {
		var h, mins int
		switch {
		case m[2] >= 0:
			h, _ = strconv.Atoi(t[m[2]:m[3]])
			if m[4] >= 0 {
				mins, _ = strconv.Atoi(t[m[4]:m[5]])
			} else if m[6] >= 0 {
				mins, _ = strconv.Atoi(t[m[6]:m[7]])
			}
			ap := t[m[8]:m[9]]
			if h > 12 {
				continue
			}
			if strings.HasPrefix(ap, "p") && h < 12 {
				h += 12
			}
			if strings.HasPrefix(ap, "a") && h == 12 {
				h = 0
			}
		case m[10] >= 0:
			h, _ = strconv.Atoi(t[m[10]:m[11]])
			mins, _ = strconv.Atoi(t[m[12]:m[13]])
			// "at 1:30" without am/pm: office hours, 1–7 is afternoon
			if h >= 1 && h <= 7 && !(m[11] > m[10]+1 && t[m[10]] == '0') {
				h += 12
			}
		case m[14] >= 0:
			h, _ = strconv.Atoi(t[m[14]:m[15]])
			if h >= 1 && h <= 7 {
				h += 12
			}
		default:
			h = 12
		}
		overlap := false
		for i := m[0]; i < m[1]; i++ {
			if taken[i] {
				overlap = true
			}
		}
		for k, o := range times {
			if o.start < m[1] && m[0] < o.end {
				overlap = true
				if m[1]-m[0] > o.end-o.start {
					times[k] = tm{m[0], m[1], h, mins} // "3:30pm" over "3:30"
				}
			}
		}
		if !overlap {
			times = append(times, tm{m[0], m[1], h, mins})
		}
	}
	days = joinWeekdayDate(t, days)
	// join each time with the nearest day in the clause; a time alone
	// means today
	for _, x := range times {
		best, bd := -1, 1<<30
		for i, d := range days {
			if d.hasTime || d.period {
				continue
			}
			dist := x.start - d.end
			if dist < 0 {
				dist = d.start - x.end
			}
			if dist < 0 {
				dist = 0
			}
			if dist < bd {
				best, bd = i, dist
			}
		}
		if best >= 0 {
			days[best].hasTime, days[best].hour, days[best].min = true, x.h, x.m
			days[best].start, days[best].end = min(days[best].start, x.start), max(days[best].end, x.end)
			continue
		}
		days = append(days, when{start: x.start, end: x.end, day: today, hasTime: true, hour: x.h, min: x.m, alone: true})
	}
	// in text order
	for i := 1; i < len(days); i++ {
		for j := i; j > 0 && days[j].start < days[j-1].start; j-- {
			days[j], days[j-1] = days[j-1], days[j]
		}
	}
	return days
}

func quarterEnd(base time.Time, q int) time.Time {
	y := base.Year()
	qd := lastDay(y, time.Month(3*q), base.Location())
	if qd.Before(midnight(base)) {
		qd = lastDay(y+1, time.Month(3*q), base.Location())
	}
	return qd
}

// findAll runs re only when the cheap check ok says it may match.
func findAll(ok bool, re *regexp.Regexp, t string) [][]int {
	if !ok {
		return nil
	}
	return re.FindAllStringSubmatchIndex(t, -1)
}

// joinWeekdayDate reads "Friday the 11th", "Thursday, December 10" as the
// one day the date names: the weekday said with a date does not stand
// for a day of its own (nor the coming one when they disagree).
func joinWeekdayDate(t string, days []when) []when {
	if len(days) < 2 {
		return days
	}
	sort.SliceStable(days, func(i, j int) bool { return days[i].start < days[j].start })
	for k := 0; k+1 < len(days); k++ {
		a, b := days[k], days[k+1]
		if !isWeekdayWord(t[a.start:a.end]) || b.period || b.start < a.end || strings.Trim(t[a.end:b.start], " ,") != "" || isWeekdayWord(t[b.start:b.end]) {
			continue
		}
		b.start = a.start
		days = append(append(days[:k:k], b), days[k+2:]...)
	}
	return days
}

func isWeekdayWord(s string) bool {
	s = strings.TrimSpace(s)
	for _, p := range []string{"next ", "this ", "on ", "coming "} {
		s = strings.TrimPrefix(s, p)
	}
	if _, ok := enWeekdays[s]; ok {
		return true
	}
	return reZhWeek.MatchString(s) && utf8.RuneCountInString(s) <= 5
}
