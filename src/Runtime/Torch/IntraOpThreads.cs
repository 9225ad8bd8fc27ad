using TorchSharp;

namespace Peft.Runtime.Torch;

/// <summary>
/// The calling thread's libtorch intra-op thread count, which our CPU kernels split their work over as well. Read once
/// per thread: it is a native call, the kernels run about sixty times a decode step, and the engine sets the count on
/// its thread before its first step.
/// </summary>
internal static class IntraOpThreads
{
    [ThreadStatic]
    private static int t_count;

    public static int Current
    {
        get
        {
            if (t_count == 0) t_count = torch.get_num_threads();
            return t_count;
        }
    }
}
