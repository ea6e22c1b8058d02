using System.Security.Cryptography.X509Certificates;

// `empty`: start the runtime and exit. `post CERT REQUEST URL`: read a certificate file, POST a ready-made OCSP
// request, print the subject and the answer's length: the I/O of `ocspstaple get` without parsing or verifying.
if (args is ["empty"])
    return 0;
if (args is not ["post", var certFile, var requestFile, var url])
{
    Console.Error.WriteLine("usage: StartupFloor empty | post CERT REQUEST.der URL");
    return 2;
}
using var certificate = new X509Certificate2(certFile);
using var http = new HttpClient();
using var content = new ByteArrayContent(File.ReadAllBytes(requestFile));
content.Headers.ContentType = new("application/ocsp-request");
using var response = await http.PostAsync(url, content);
var answer = await response.Content.ReadAsByteArrayAsync();
Console.WriteLine($"{certificate.Subject}: {answer.Length} bytes");
return 0;
