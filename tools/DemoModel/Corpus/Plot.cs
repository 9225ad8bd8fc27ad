using System.Text;
using Peft.Tools.DemoModel.Common;

namespace Peft.Tools.DemoModel.Corpus;

/// <summary>A kind of document: its beats in order. <see cref="Weight"/> sets how often the corpus tells it.</summary>
internal sealed record Plot(string Name, int Weight, IReadOnlyList<Beat> Beats)
{
    public void Tell(StringBuilder output, ISlotScope scope)
    {
        SeededRandom random = scope.Random;
        bool first = true;
        foreach (var beat in Beats)
        {
            if (beat.Chance < 1.0 && !random.Chance(beat.Chance)) continue;
            int times = random.NextInclusive(beat.MinTimes, beat.MaxTimes);
            for (int i = 0; i < times; i++)
            {
                if (!first) output.Append(beat.OnNewLine ? '\n' : ' ');
                first = false;
                random.Pick(beat.Variants).Expand(output, scope);
            }
        }
    }
}
