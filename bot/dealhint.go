package bot

// dealHint is the deal a message is about, as far as can be told before
// the team is read: a clicked checklist's deal, else the word after the
// command (`show D-1`, `check d1 s1.m1`). The coach reads a deal named by
// id together with the team (coach.Service.JoinFor); anything else, or a
// wrong guess, costs nothing more than Join.
func dealHint(msg Message) string {
	if a := msg.Action; a != nil {
		switch a.Kind {
		case ActionChecklist:
			return a.Deal
		case ActionCommand:
			if a.Value != "" {
				return secondWord(a.Value)
			}
		}
	}
	return secondWord(msg.Text)
}

// secondWord is the second token of text, when it is a plain word.
func secondWord(text string) string {
	toks := Tokenize(text)
	if len(toks) < 2 || toks[1].Key != "" {
		return ""
	}
	return toks[1].Value
}
