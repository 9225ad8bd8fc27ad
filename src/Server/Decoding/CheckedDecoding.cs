using Google.Protobuf;
using Grpc.Core;

namespace Peft.Server.Decoding;

/// <summary>
/// A method whose request marshaller refuses a message that does not decode with INVALID_ARGUMENT naming what is
/// wrong. grpc-dotnet decodes a unary or server-streaming request before any interceptor runs and answers a failure
/// as UNKNOWN ("Exception was thrown by handler"); the same marshaller serves client-streaming reads. Protobuf names
/// the problem (a message cut short, a string that is not UTF-8, a bad tag or wire type, nesting too deep).
/// </summary>
internal static class CheckedDecoding
{
    public static Method<TRequest, TResponse> Of<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class where TResponse : class
    {
        var decode = method.RequestMarshaller.ContextualDeserializer;
        string what = $"the {typeof(TRequest).Name} message of {method.FullName}";
        var checkedRequests = new Marshaller<TRequest>(method.RequestMarshaller.ContextualSerializer, context =>
        {
            try
            {
                return decode(context);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw Invalid($"{what} could not be decoded: {e.Message}");
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, checkedRequests, method.ResponseMarshaller);
    }

    private static RpcException Invalid(string detail) => new(new Status(StatusCode.InvalidArgument, detail));
}
