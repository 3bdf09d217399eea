import './base.css';
import './cnn.css';
