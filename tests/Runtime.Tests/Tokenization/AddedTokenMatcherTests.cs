using Peft.Runtime.Tokenization;

namespace Peft.Runtime.Tests.Tokenization;

public sealed class AddedTokenMatcherTests
{
    private static string Show(string text, AddedTokenMatcher matcher) =>
        string.Join("|", matcher.Split(text).Select(p => p.IsAddedToken ? $"#{p.TokenId}" : text.Substring(p.Start, p.Length)));

    [Fact]
    public void The_leftmost_match_wins_then_the_longest()
    {
        var matcher = new AddedTokenMatcher([new(1, "<a>", true), new(2, "<a><b>", true), new(3, "<b>", true), new(4, "bc", false), new(5, "abc", false)]);
        Assert.Equal("x|#2|y", Show("x<a><b>y", matcher));
        Assert.Equal("#1|#1", Show("<a><a>", matcher));
        Assert.Equal("#5|d", Show("abcd", matcher));   // "abc" starts before "bc"
        Assert.Equal("<|#3", Show("<<b>", matcher));   // a failed start does not hide a match one char later
    }

    [Fact]
    public void Text_without_added_tokens_is_one_piece_and_empty_text_none()
    {
        var matcher = new AddedTokenMatcher([new(1, "<s>", true)]);
        Assert.Equal("plain text <", Show("plain text <", matcher));
        Assert.Empty(matcher.Split(""));
        Assert.Equal("just text", Show("just text", new AddedTokenMatcher([])));
    }

    [Fact]
    public void Lstrip_and_rstrip_take_the_adjacent_whitespace_but_not_past_another_token()
    {
        var matcher = new AddedTokenMatcher([new(1, "<m>", true, LStrip: true, RStrip: true), new(2, "<n>", true)]);
        Assert.Equal("a|#1|b", Show("a \t<m>\n b", matcher));
        Assert.Equal("#2|#1", Show("<n>  <m>  ", matcher));
    }
}
