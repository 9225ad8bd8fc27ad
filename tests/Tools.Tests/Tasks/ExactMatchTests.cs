using Peft.Tools.DemoModel.Tasks;

namespace Peft.Tools.Tests.Tasks;

public class ExactMatchTests
{
    [Theory]
    [InlineData(" animal", " animal", true)]
    [InlineData(" animal", "animal", true)]
    [InlineData(" animal", " animal\n", true)]
    [InlineData(" animal", "\tanimal  ", true)]
    [InlineData(" animal", " Animal", false)]
    [InlineData(" animal", " animals", false)]
    [InlineData(" animal", " animal.", false)]
    [InlineData(" animal", " an animal", false)]
    [InlineData(" animal", " animal\nKind:", false)]
    [InlineData(" animal", "", false)]
    public void Matches_only_after_trimming_white_space(string expected, string predicted, bool match)
    {
        Assert.Equal(match, ExactMatch.IsMatch(expected, predicted));
    }

    [Fact]
    public void Scores_the_fraction_of_exact_matches()
    {
        TaskExample[] examples = [new("p1", " toy"), new("p2", " food"), new("p3", " plant"), new("p4", " animal")];
        var score = ExactMatch.Score(examples, [" toy", "food ", " plants", " vehicle"]);
        Assert.Equal(new ExactMatchScore(2, 4), score);
        Assert.Equal(0.5, score.Accuracy);
        Assert.Throws<ArgumentException>(() => ExactMatch.Score(examples, [" toy"]));
    }
}
