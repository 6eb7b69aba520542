package bot

import (
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

func init() {
	register(map[string]playbook.Text{
		"session.btn.next":      {EN: "Next", ZH: "下一步"},
		"session.btn.confirmed": {EN: "Customer agrees", ZH: "客户认可"},
		"session.btn.tense":     {EN: "Customer is tense", ZH: "客户紧张"},
		"session.btn.skip":      {EN: "Skip", ZH: "跳过"},
		"session.btn.back":      {EN: "Back", ZH: "返回"},
	})
}

// sessionButtons are the session words of the current step as buttons,
// beside the typed words the hint lists: the same `coach <deal> <word>`
// commands, so a tap and a typed word run one handler.
func (q *Request) sessionButtons(s *coach.Session, deal string) Buttons {
	var ops []string
	switch {
	case s.Phased() && s.Phase == coach.PhaseConfirm:
		ops = []string{opConfirm, opTense, opBack, opStop}
	case s.Phased() && s.Phase == coach.PhaseControl:
		ops = []string{opNext, opTense, opBack, opStop}
	case s.CurrentStep() == "ph.3":
		ops = []string{opNext, opBack, opStop}
	case s.Phased():
		ops = []string{opNext, opTense, opSkip, opBack, opStop}
	default:
		ops = []string{opNext, opSkip, opBack, opStop}
	}
	var b Buttons
	for i, op := range ops {
		if op == opBack && s.Step == 0 && (!s.Phased() || s.Phase == coach.PhaseOpen) {
			continue // nothing to go back to
		}
		btn := Button{Label: q.T("session.btn." + op), Command: "coach " + deal + " " + op}
		if i == 0 {
			btn.Style = "primary"
		}
		b.Items = append(b.Items, btn)
	}
	return b
}
