package bot

func init() { register(meetingCodeMessages) }

// meetingCodeMessages are the texts of the meeting lifecycle's error codes
// (coach/meetings.go, merged from branch honest). If honest brings its own
// texts for these keys, keep one of the two (register panics on a duplicate).
var meetingCodeMessages = map[string]tx{
	"err.unknown_meeting": {EN: "There is no meeting {n} on {deal}. Meetings: {valid}.", ZH: "{deal} 没有编号为 {n} 的会谈。现有会谈：{valid}。"},
	"err.meeting_state":   {EN: "Meeting {n} is {status} and cannot be changed ({action}).", ZH: "会谈 {n} 的状态是 {status}，无法执行此操作（{action}）。"},
	"err.meeting_past":    {EN: "Meeting {n} cannot be moved to {when}, which is in the past; mark it held instead.", ZH: "会谈 {n} 不能改到已经过去的时间 {when}；请改为标记已举行。"},
}
