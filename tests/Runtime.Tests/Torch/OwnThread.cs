using System.Runtime.ExceptionServices;

namespace Peft.Runtime.Tests.Torch;

/// <summary>
/// Runs a test body on a thread of its own. TorchSharp counts live tensors per thread, and an xunit worker thread
/// also carries tensors of other tests, whose release (by their owners or the finalizer) can move the count in the
/// middle of a test that compares it.
/// </summary>
internal static class OwnThread
{
    public static void Run(Action body)
    {
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        });
        thread.Start();
        thread.Join();
        failure?.Throw();
    }
}
