import "./base.css";
import "./annotate.css";
import "./pipeline.css";
import "./endpoints.css";
