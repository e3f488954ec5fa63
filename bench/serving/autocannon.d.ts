// The part of autocannon's API bench/serving uses (the package ships no types).
declare module "autocannon" {
  type Options = {
    url: string;
    connections: number;
    duration: number;
    method: "POST";
    headers: Record<string, string>;
    body: string | Buffer;
    pipelining?: number;
    timeout?: number;
  };
  type Result = {
    duration: number;
    "2xx": number;
    non2xx: number;
    errors: number;
    timeouts: number;
    latency: { p50: number; p99: number; average: number };
  };
  function autocannon(options: Options): Promise<Result>;
  export = autocannon;
}
