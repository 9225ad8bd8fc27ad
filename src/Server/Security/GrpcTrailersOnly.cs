using System.Text;
using Grpc.Core;

namespace Peft.Server.Security;

/// <summary>
/// A gRPC status answered without a message: HTTP 200, <c>application/grpc</c>, and the status in the headers of a
/// response with no body (a "trailers-only" response, which every gRPC client reads as the call's status).
/// </summary>
internal static class GrpcTrailersOnly
{
    public static void Write(HttpResponse response, StatusCode code, string message)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncode(message);
    }

    /// <summary>grpc-message is percent-encoded UTF-8: printable ASCII except '%' stays, every other byte is %XX.</summary>
    private static string PercentEncode(string message)
    {
        var encoded = new StringBuilder(message.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%') encoded.Append((char)b);
            else encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return encoded.ToString();
    }
}
