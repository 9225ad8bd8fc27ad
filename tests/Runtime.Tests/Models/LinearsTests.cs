using Peft.Runtime.Models.Layers;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models;

/// <summary>The split product for few rows computes what the plain linear computes, whatever the thread count.</summary>
public sealed class LinearsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Few_rows_split_over_threads_match_the_plain_linear(int threads)
    {
        Exception? failure = null;
        // A thread of its own: libtorch's thread count is per calling thread.
        var worker = new Thread(() =>
        {
            try
            {
                TorchSharp.torch.set_num_threads(threads);
                using var scope = NewDisposeScope();
                manual_seed(7);
                foreach (long outFeatures in new long[] { 48, 50 })   // 50 is not divisible by 3 or 4: the plain path
                {
                    var weight = randn(outFeatures, 32);
                    var bias = randn(outFeatures);
                    foreach (long rows in new long[] { 1, 2, 5, 8, 9, 40 })
                    {
                        var x = randn(rows, 32);
                        GoldenAssert.Close(nn.functional.linear(x, weight, bias), Linears.Apply(x, weight, bias), $"{rows} rows, {outFeatures} out, bias", 1e-5);
                        GoldenAssert.Close(nn.functional.linear(x, weight), Linears.Apply(x, weight, null), $"{rows} rows, {outFeatures} out", 1e-5);
                    }
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        worker.Start();
        worker.Join();
        Assert.True(failure is null, failure?.ToString());
    }
}
