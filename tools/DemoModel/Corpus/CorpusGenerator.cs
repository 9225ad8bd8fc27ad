using System.Text;
using Peft.Tools.DemoModel.Common;

namespace Peft.Tools.DemoModel.Corpus;

/// <summary>
/// An endless, seeded stream of documents (stories, everyday sentences, questions, facts) drawn from <see cref="Plots"/>.
/// The same seed gives the same documents, byte for byte, on every machine.
/// </summary>
internal sealed class CorpusGenerator(ulong seed)
{
    private static readonly int TotalWeight = Plots.All.Sum(p => p.Weight);

    private readonly SeededRandom _random = new(seed);

    public string NextDocument()
    {
        var output = new StringBuilder(1024);
        AppendDocument(output);
        return output.ToString();
    }

    public void AppendDocument(StringBuilder output)
    {
        var plot = PickPlot();
        var scope = new StoryScope(StoryCast.Draw(_random), _random);
        plot.Tell(output, scope);
    }

    private Plot PickPlot()
    {
        int ticket = _random.Next(TotalWeight);
        foreach (var plot in Plots.All)
        {
            if (ticket < plot.Weight) return plot;
            ticket -= plot.Weight;
        }
        throw new InvalidOperationException("Unreachable: the tickets cover the total weight.");
    }
}
